# bgpsim's stand-in for the part of ExaBGP's Python package that helper
# processes import (docs/qa.md): written for bgpsim, not ExaBGP's code.
