"""A labelled corpus for the content review: (language, subject, body, categories expected).
Positive examples use inflected forms, diacritics and link targets; negative ones carry
traps (a banned word inside a longer one, the seed's exceptions)."""

CORPUS = [
    # --- English ---
    ("en", "Spring sale", "Our new garden tools are 20 % off this week. Evaporate your "
     "worries: the vaporetto tour is back. Waffles at the café!", set()),
    ("en", "Hello from Acme", "Dear sir, we found your email on a business directory and "
     "would like to offer you our SEO services.", {"cold"}),
    ("en", "Monthly news", "You are receiving this because you subscribed at acme.example. "
     "Let me introduce our new head chef, Anna.", set()),
    ("en", "Fresh kratom", "Premium Maeng Da kratom powder, buy now with free shipping!",
     {"kratom"}),
    ("en", "Sign the petition", "Kratom users: sign our petition to keep the plant legal. "
     "Read the research on its safety.", set()),
    ("en", "New vapes in stock", "Disposable vapes and e-liquids, 50 flavours.", {"ecig"}),
    ("en", "Trade catalogue", "The new e-cigarette catalogue for retailers. This "
     "publication is for B2B partners and professionals only.", set()),
    ("en", "CBD for your skin", "Our CBD face cream is THC free and dermatologically "
     "tested.", set()),
    ("en", "HHC flowers", "Try our HHC-P flowers and gummies, strong effect.", {"thc"}),
    ("en", "Cheap pills", "Viagra and Cialis without prescription, discreet delivery.",
     {"ed"}),
    ("en", "Hot tonight", "Watch free porn videos and live camgirls.", {"porn"}),
    ("en", "Hunting season", "Rifles, shotguns and ammunition for everyone: order online "
     "today.", {"firearms"}),
    ("en", "Range day photos", "Photos from Saturday at the shooting range and our safety "
     "course schedule.", set()),
    ("en", "Pistol grip", "The new pistol-grip drill is here, order now.", {"firearms"}),
    ("en", "Gardening", "Remove weeds before they seed; the Niagara variety of grapes "
     "ripens in September.", set()),
    # --- Slovak ---
    ("sk", "Jarné novinky", "Dostávate tento e-mail, lebo ste náš zákazník. Nové kvetináče "
     "a záhradné nožnice za skvelé ceny.", set()),
    ("sk", "Spolupráca", "Dobrý deň, našli sme váš kontakt na internete a radi by sme vám "
     "ponúkli spoluprácu v oblasti marketingu.", {"cold"}),
    ("sk", "Kratom akcia", "Kúpte si kratómový prášok so zľavou 20 %!", {"kratom"}),
    ("sk", "Podpíšte petíciu", "Podpíšte petíciu za legalizáciu kratomu. Informácie o "
     "výskume nájdete na našom blogu.", set()),
    ("sk", "Novinky vo vapovaní", "Nové jednorazové e-cigarety a náplne do elektronických "
     "cigariet skladom.", {"ecig"}),
    ("sk", "Katalóg pre predajcov", "Katalóg e-cigariet pre veľkoobchod. Len pre "
     "profesionálnych predajcov (B2B).", set()),
    ("sk", "CBD kozmetika", "Náš CBD krém neobsahuje žiadne THC, je vhodný pre citlivú "
     "pokožku.", set()),
    ("sk", "HHC kvety", "Nové HHC kvety a HHC vapy za výhodné ceny.", {"thc"}),
    ("sk", "Tabletky", "Kamagra a viagra bez receptu, doručenie do 24 hodín.", {"ed"}),
    ("sk", "Zbrane", "Pištole, pušky a strelivo pre každého v našom e-shope.",
     {"firearms"}),
    ("sk", "Výcvik na strelnici", "Fotky zo strelnice a termíny kurzu bezpečnej manipulácie.",
     set()),
    ("sk", "Fotky z dovolenky", "Nahrajte fotky z dovolenky a vyhrajte poukaz.", set()),
    # --- Czech ---
    ("cs", "Novinky z kavárny", "Dostáváte tento newsletter, protože jste se přihlásili k "
     "odběru. Nová káva z Etiopie.", set()),
    ("cs", "Nabídka spolupráce", "Dobrý den, dovolte mi představit naši firmu. Rádi bychom "
     "vám nabídli spolupráci.", {"cold"}),
    ("cs", "Kratom za super ceny", "Objednejte kratom ještě dnes, sleva 15 %.", {"kratom"}),
    ("cs", "Vapovací pera", "Nová vapovací pera a nikotinové náplně skladem.", {"ecig"}),
    ("cs", "CBD olej", "Náš CBD olej je vhodný pro každodenní péči.", set()),
    ("cs", "CBD vaporizér", "Nový CBD vaporizér s dlouhou výdrží baterie.", {"thc"}),
    ("cs", "Marihuana semínka", "Semínka marihuany s vysokým obsahem THC.", {"thc"}),
    ("cs", "Pro muže", "Sildenafil a tadalafil levně, bez předpisu.", {"ed"}),
    ("cs", "Erotika", "Nejlepší erotická videa a pornografie zdarma.", {"porn"}),
    ("cs", "Střelné zbraně", "Prodej střelných zbraní a střeliva, objednejte na e-shopu.",
     {"firearms"}),
    ("cs", "Odborná publikace", "Nová odborná publikace o střelných zbraních pro odborníky.",
     set()),
    ("cs", "Karabina na lezení", "Nová lezecká karabina a lana za zvýhodněné ceny.", set()),
    # --- German ---
    ("de", "Frühlingsangebot", "Sie erhalten diese E-Mail, weil Sie unseren Newsletter "
     "abonniert haben. Neue Waffeln im Café!", set()),
    ("de", "Zusammenarbeit", "Sehr geehrte Damen und Herren, wir sind auf Ihr Unternehmen "
     "aufmerksam geworden und möchten Ihnen eine Zusammenarbeit anbieten.", {"cold"}),
    ("de", "Kratom kaufen", "Kratom Pulver günstig kaufen, jetzt bestellen!", {"kratom"}),
    ("de", "E-Zigaretten", "Neue E-Zigaretten und Liquids mit Nikotin im Shop.", {"ecig"}),
    ("de", "Fachhandel", "Der neue E-Zigaretten-Katalog ist nur für den Fachhandel "
     "bestimmt.", set()),
    ("de", "CBD Kosmetik", "Unsere CBD-Creme ist frei von THC: 0,0 % THC.", set()),
    ("de", "Potenzmittel", "Potenzmittel wie Viagra ohne Rezept bestellen.", {"ed"}),
    ("de", "Waffen", "Gewehre, Pistolen und Munition im Waffenshop.", {"firearms"}),
    ("de", "Nudeln", "Hausgemachte Nudeln und Nacktschnecken im Garten bekämpfen.", set()),
    ("de", "Pornos", "Gratis Pornos und Sexvideos ansehen.", {"porn"}),
    # --- Slovenian ---
    ("sl", "Pomladne novice", "To sporočilo prejemate, ker ste naročeni na naše novice. "
     "Nova kolekcija oblačil.", set()),
    ("sl", "Sodelovanje", "Pozdravljeni, našli smo vaš kontakt in vam želimo ponuditi "
     "sodelovanje.", {"cold"}),
    ("sl", "Kratom", "Kratom v prahu po najnižji ceni v naši trgovini.", {"kratom"}),
    ("sl", "Elektronske cigarete", "Nove elektronske cigarete in tekočine za e-cigarete.",
     {"ecig"}),
    ("sl", "Orožje", "Pištole in strelno orožje ter naboji za vse.", {"firearms"}),
    ("sl", "Tečaj", "Tečaj varnega ravnanja z orožjem na strelišču.", set()),
    ("sl", "CBD kozmetika", "Naša CBD krema ne vsebuje THC.", set()),
    ("sl", "Tablete", "Kamagra in Viagra po ugodni ceni.", {"ed"}),
]
