#!/usr/bin/env python3
"""qa helper: turns each message the speaker reports as bytes into a route.

Subscribed to `receive { packets; update; }` or `receive { packets;
consolidate; update; }`, in the text or the JSON encoder, it reads the bytes
of every message the speaker received (`header 0x.. body 0x..`, or the
JSON's "header"/"body"), checks them against their own header (16 bytes of
ones, the length field equal to the count of bytes, the type equal to the
line's category when it has one) and announces

  route 10.BASE.N.0/24 next-hop 192.0.2.1 med LENGTH community [ TYPE:SUM 65000:TAG ]

N counting the messages, LENGTH the message's length, TYPE its type, SUM
the sum of its bytes modulo 65536; BASE and TAG are the arguments (two
helpers announce apart). So a .ci test that sends an UPDATE (`send:`) sees
on the wire that its bytes reached the helper whole. Bytes that disagree
with their header announce 203.0.113.255/32, which no test expects.
"""
import json
import sys


def from_text(words):
    """(category or None, header hex, body hex) of a text line, or None.

    `packets`: "neighbor IP receive TYPE header 0x.. [body 0x..]";
    `consolidate`: a message's line ending " header 0x.. [body 0x..]", or
    for an UPDATE that part alone on a line of its own."""
    if 'header' not in words or (words[0] == 'neighbor' and words[2:3] != ['receive']):
        return None
    header = words[words.index('header') + 1]
    body = words[words.index('body') + 1] if 'body' in words else '0x'
    category = int(words[3]) if words[0] == 'neighbor' and words[3].isdigit() else None
    return category, header, body


def from_json(line):
    j = json.loads(line)
    neighbor = j.get('neighbor', {})
    if neighbor.get('direction') not in ('in', 'receive'):
        return None
    if 'header' in j:  # consolidate
        return None, j['header'], j.get('body', '0x')
    message = neighbor.get('message', {})
    if 'category' in message:  # packets
        return message['category'], message['header'], message['body']
    return None


def main() -> None:
    base, tag = sys.argv[1], sys.argv[2]
    count = 0
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        line = line.strip()
        found = from_json(line) if line.startswith('{') else from_text(line.split())
        if found is None:
            continue
        category, header, body = found
        raw = bytes.fromhex(header[2:] + body[2:])
        count += 1
        good = (
            len(raw) >= 19
            and raw[:16] == b'\xff' * 16
            and int.from_bytes(raw[16:18], 'big') == len(raw)
            and (category is None or raw[18] == category)
        )
        if not good:
            sys.stderr.write(f'bytes that disagree with their header: {line}\n')
            print('announce route 203.0.113.255/32 next-hop 192.0.2.1', flush=True)
            continue
        print(
            f'announce route 10.{base}.{count}.0/24 next-hop 192.0.2.1 med {len(raw)}'
            f' community [ {raw[18]}:{sum(raw) % 65536} 65000:{tag} ]',
            flush=True,
        )


if __name__ == '__main__':
    main()
