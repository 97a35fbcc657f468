"""The content categories of seed 004 (3.3.2) with their default rules in English, Slovak,
Czech, German and Slovenian (syntax: ``contentrules``). An owner can change any category's
rules; a stored ReviewCategory row replaces the default of the same key."""

from .contentrules import Category

#: words of selling: they void the exceptions of kratom and firearms (an "informative"
#: text that links to a shop is advertising)
SELLING = (
    "buy*", "order*", "shop*", "eshop*", "e shop*", "discount*", "sale", "price*", "kup*",
    "kúp*", "koup*", "objedn*", "zlav*", "slev*", "akci*", "cena", "ceny", "cenu", "kaufen",
    "kauf", "bestell*", "rabatt*", "angebot*", "preis*", "nakup*", "narocite", "narocil*",
    "popust*", "cenik*", "ponudb*", "trgovin*",
)

DEFAULTS = (
    Category(
        "cold", "Cold acquisition (prospects with no prior relationship)",
        patterns=(
            # en
            "found your* email*", "found your* contact*", "found your* address*",
            "came across your*", "let me introduce*", "allow me to introduce*",
            "we would like to offer you*", "potential client*", "potential customer*",
            "new business partner*", "we have not met", "i am reaching out",
            "purchased list*", "your details from*",
            # sk / cs
            "dovol* mi predstav*", "dovol* mi představ*", "dovol* nam predstav*",
            "nasli sme vas* kontakt*", "nasli jsme vas* kontakt*", "vas kontakt sme*",
            "vas kontakt jsme*", "vasu adresu sme*", "vasi adresu jsme*",
            "radi by sme vam ponukli spolupr*", "radi bychom vam nabidli spolupr*",
            "ponuk* spoluprac*", "nabid* spolupr*", "potencialn* klient*",
            "potencialn* zakaznik*", "oslovujeme vas", "dovolujeme si vas oslovit",
            # de
            "erlauben sie mir* vorzustellen", "ihre adresse gefunden", "ihre kontakt* gefunden",
            "auf ihr unternehmen aufmerksam", "zusammenarbeit anbieten", "moglich* kunde*",
            "potenziell* kunde*", "neue* geschaftspartner*",
            # sl
            "dovolite mi da predstavim*", "nasli smo vas* kontakt*", "vas kontakt smo*",
            "ponuditi sodelovanje", "potencialn* strank*", "potencialn* kupc*",
        ),
        exceptions=(
            "receiving this because you*", "you subscribed", "you signed up", "as our customer*",
            "as a customer", "dostavate tento*", "dostavate tuto*", "dostavate ho*",
            "prihlasil* k odber*", "prihlasili ste sa", "prihlasili jste se",
            "ako nas* zakaznik*", "jako nas* zakaznik*", "jako nas* zakaznic*",
            "sie erhalten diese*", "als unser* kund*", "newsletter abonniert",
            "prejemate*", "naroceni na", "kot nas* strank*",
        ),
    ),
    Category(
        "kratom", "Kratom",
        patterns=("kratom*", "mitragyn*"),
        exceptions=("petic*", "petition*", "peticij*", "research*", "study", "studie*",
                    "studij*", "studi*", "vyskum*", "vyzkum*", "forschung*", "raziskav*",
                    "legislativ*", "legislation", "gesetz*", "zakon*", "regulac*",
                    "regulier*", "informativ*", "informac*", "informat*"),
        void=SELLING,
    ),
    Category(
        "ecig", "E-cigarettes, vapes and refills",
        patterns=(
            "e cigaret*", "ecigaret*", "e zigarett*", "ezigarett*", "electronic cigarett*",
            "elektronick* cigaret*", "elektronisch* zigarett*", "elektronsk* cigaret*",
            "vape", "vapes", "vaping", "vaper", "vapers", "vapen", "vapovac*", "vapov*",
            "vapka", "vapky", "vapku", "vapek", "vapkou", "vejp*", "e liquid*", "eliquid*",
            "liquid* nikotin*", "nikotin* liquid*", "nicotine liquid*", "nikotin* napln*",
            "nikotinov* sacky", "nachfullflasch*", "pod system*",
            "pod kit*", "disposable vape*", "einweg* vape*", "tekocin* za e cigaret*",
        ),
        exceptions=("b2b", "profesional*", "professional*", "fachhandel*", "fachhandler*",
                    "gewerbliche* kund*", "nur fur handler", "wholesale*", "trade only",
                    "retailers only", "velkoobchod*", "predajc*", "prodejc*", "prodajalc*",
                    "trgovc*", "odborn*"),
    ),
    Category(
        "thc", "THC and HHC products, CBD vapes",
        patterns=(
            "thc", "thcp", "thc p", "thc o", "hhc*", "hhcp", "h4cbd", "cbd vap*",
            "vap* cbd", "cbd e liquid*", "cbd liquid*", "cbd pen*", "cbd pero", "cbd pera",
            "cbd vaporiz*", "vaporiz* cbd", "cbd vejp*", "marihuan*", "marijuan*",
            "cannabis bud*", "cannabis blut*",
        ),
        allowed=(
            "bez thc", "without thc", "no thc", "thc free", "thc frei*", "ohne thc",
            "brez thc", "0 thc", "0 0 thc", "0 00 thc", "thc 0", "thc pod 0*",
            "neobsahuj* thc", "neobsahuj* ziadn* thc", "neobsahuj* zadn* thc",
            "thc nula", "ne vsebuj* thc", "enthalt* kein* thc", "kein thc",
        ),
    ),
    Category(
        "ed", "Viagra / Kamagra",
        patterns=("viagr*", "kamagr*", "sildenafil*", "tadalafil*", "vardenafil*", "cialis",
                  "levitra", "potency pill*", "tabletk* na potenc*", "tablet* na potenc*",
                  "potenzmittel*", "potenzpill*", "erektil*", "erectile*"),
    ),
    Category(
        "porn", "Pornography",
        patterns=("porn*", "xxx", "hardcore sex", "sex video*", "sexvideo*", "sex cam*",
                  "sexcam*", "webcam sex", "camgirl*", "nude", "nudes", "nudity", "nackt",
                  "nacktbild*", "nacktfoto*", "nahe fotk*", "nahych fot*", "nahe* fotografi*",
                  "gole* fotografij*",
                  "gol* dekl*", "erotick* video*", "erotisch* video*", "eroticn* video*",
                  "explicit* video*", "onlyfans", "escort* servis*", "escort* service*"),
    ),
    Category(
        "firearms", "Firearms to the public",
        patterns=("firearm*", "handgun*", "pistol*", "revolver*", "rifle", "rifles",
                  "shotgun*", "ammunition", "ammo", "gun shop*", "guns", "strelivo*",
                  "streliv*", "streln* zbran*", "zbrane", "zbran", "zbrani", "zbranou",
                  "puska", "pusky", "pusku", "puskou", "pusek", "brokovnic*", "naboj",
                  "naboje", "naboju", "nabojov", "waffe", "waffen", "waffenshop*",
                  "schusswaff*", "gewehr*", "munition", "flinte*", "orozj*", "strelno orozj*",
                  "puske", "pusko", "naboji", "nabojev"),
        exceptions=("b2b", "profesional*", "professional*", "odborn*", "fachhandel*",
                    "gewerbliche*", "strelnic*", "strelisc*", "shooting range*",
                    "schiessstand*", "schießstand*", "kurz*", "kurs*", "course*", "training*",
                    "vycvik*", "educat*", "vzdelav*", "vzdelan*", "ausbildung*",
                    "izobraz*", "tecaj*", "publikac*", "publication*"),
        void=SELLING,
    ),
)
