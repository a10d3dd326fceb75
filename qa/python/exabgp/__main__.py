"""`python -m exabgp healthcheck ARGS`: the one application bgpsim provides."""
import sys

if len(sys.argv) >= 2 and sys.argv[1] == 'healthcheck':
    from exabgp.application.healthcheck import main

    main(sys.argv[2:])
else:
    sys.exit('bgpsim provides only `python -m exabgp healthcheck` (docs/qa.md)')
