from portal_sdk.cli import main

raise SystemExit(main())
