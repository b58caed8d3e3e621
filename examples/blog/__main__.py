import sys

from examples.blog.server import main

sys.exit(main(program=True))
