from report_builder.cli import main

main()
