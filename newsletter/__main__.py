from newsletter.cli.commands import main

main()
