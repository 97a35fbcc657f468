"""What a campaign says and how it looks: composer blocks and templates, drafts and
language variants, images and attachments, themes, the pure renderer and its bulk
(prerendered) form, and one message shown anywhere (e-mail, browser, archive).

May import: tracking and everything below it."""
