#!/usr/bin/env python3
"""qa helper: sends the text API commands of a script and checks the answers.

Usage: commands.py SCRIPT (SCRIPT relative to qa/etc, this folder's parent).
A script line is one of:

  COMMAND      sent as is; its answer must be `done`
  ! COMMAND    sent as is; its answer must be `error`
  = TEXT       one data line of the last command's output equals TEXT
  ^ TEXT       one data line of the last command's output starts with TEXT
  ~ TEXT       one data line of the last command's output contains TEXT
  sleep S      sleeps S seconds (virtual in the simulator)
  # ..., blank ignored

Answers may be text or JSON (`encoder json`). It waits for each answer
before the next line (while acks are on: after
`disable-ack` or `silence-ack` it waits for none, after `enable-ack` again).
On the first mismatch it says why on stderr and announces 203.0.113.255/32,
a route no test expects, so the test fails where the script went wrong.
After the script it waits for its end (stdin closed, or SIGTERM).
"""
import json
import os
import sys

MARKER = 'announce route 203.0.113.255/32 next-hop 127.0.0.1'


def fail(why: str) -> None:
    sys.stderr.write(f'commands.py: {why}\n')
    sys.stderr.flush()
    print(MARKER, flush=True)
    wait_for_end()


def wait_for_end() -> None:
    while sys.stdin.readline():
        pass
    sys.exit(0)


def answer() -> tuple:
    """Reads up to the answer, text (`done`) or JSON ({"answer": "done", ...}):
    (answer, data lines)."""
    data = []
    while True:
        line = sys.stdin.readline()
        if not line:
            sys.exit(0)
        line = line.rstrip('\n')
        if line in ('done', 'error'):
            return line, data
        if line.startswith('{"answer"') or line.startswith('{ "answer"'):
            return json.loads(line)['answer'], data
        data.append(line)


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, '..', sys.argv[1])) as f:
        script = [line.rstrip('\n') for line in f]
    import time

    acks = True
    output = []
    for number, line in enumerate(script, 1):
        where = f'{sys.argv[1]}:{number}'
        if not line.strip() or line.startswith('#'):
            continue
        if line.startswith('sleep '):
            time.sleep(float(line.split()[1]))
            continue
        if line[:2] in ('= ', '^ ', '~ '):
            text = line[2:]
            match = {'=': str.__eq__, '^': str.startswith, '~': str.__contains__}[line[0]]
            found = any(match(o, text) for o in output)
            if not found:
                fail(f'{where}: no output line {line}; got {output}')
            continue
        want = 'done'
        if line.startswith('! '):
            want, line = 'error', line[2:]
        print(line, flush=True)
        if line == 'silence-ack':
            acks = False
            continue
        if line == 'enable-ack':
            acks = True
        if not acks:
            continue
        got, output = answer()
        if line == 'disable-ack':
            acks = False
        if got != want:
            fail(f'{where}: {line!r} answered {got}, expected {want}; output {output}')
    wait_for_end()


if __name__ == '__main__':
    main()
