#!/usr/bin/env python3
"""qa helper: mirrors what the speaker keeps from its peer back to that peer.

Subscribed to the text encoder's `receive { parsed; update; }` events, it
turns every route the speaker reports received into the same announcement
towards the neighbor it came from, and every route reported withdrawn
(RFC 7606 treat-as-withdraw included) into a withdrawal:

  neighbor IP receive update announced PREFIX WORDS -> neighbor IP announce route PREFIX WORDS
  neighbor IP receive update withdrawn PREFIX       -> neighbor IP withdraw route PREFIX

So a .ci test sees on the wire what the speaker's Adj-RIB-In holds after
each UPDATE it sent with `send:` (docs/qa.md). Answers (done/error) are
ignored: a refused command sends nothing, which the test then misses.
"""
import sys


def main() -> None:
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        words = line.split()
        if len(words) < 6 or words[0] != 'neighbor' or words[2:4] != ['receive', 'update']:
            continue
        peer, what, prefix = words[1], words[4], words[5]
        if what == 'announced':
            print(f'neighbor {peer} announce route {" ".join(words[5:])}', flush=True)
        elif what == 'withdrawn':
            print(f'neighbor {peer} withdraw route {prefix}', flush=True)


if __name__ == '__main__':
    main()
