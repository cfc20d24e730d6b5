from govworkflow.cli import main

raise SystemExit(main())
