"""A healthcheck helper with the command line of ExaBGP's
`python -m exabgp healthcheck` (written for bgpsim from its documented
behaviour, not from its code; docs/qa.md says what is covered).

It runs a check command every --interval seconds (--fast-interval while the
state is changing), counts successes and failures against --rise and
--fall, and tells the speaker on stdout:

    announce route IP next-hop NH med METRIC [local-preference N] [community [..]]
    withdraw route IP next-hop NH            (when down, with --withdraw-on-down)

METRIC is --up-metric when up, --down-metric when down, --disabled-metric
when the --disable file exists. The announcement is repeated every check
(a restarted speaker relearns it). Unless --no-ack, it reads the speaker's
answer (`done`/`error`) after each command. --no-ip-setup and --no-syslog
are accepted: this helper never configures addresses nor logs to syslog;
--timeout is accepted and the check is waited for to its end (see check()).
"""

import argparse
import ipaddress
import os
import subprocess
import sys
import time

INIT, RISING, UP, FALLING, DOWN, DISABLED = 'INIT', 'RISING', 'UP', 'FALLING', 'DOWN', 'DISABLED'


def parse(argv):
    p = argparse.ArgumentParser(prog='healthcheck', description=__doc__.splitlines()[0])
    p.add_argument('--cmd', '--command', '-c', dest='command', default=None)
    p.add_argument('--timeout', type=float, default=5)
    p.add_argument('--interval', '-i', type=float, default=5)
    p.add_argument('--fast-interval', type=float, default=1)
    p.add_argument('--rise', type=int, default=3)
    p.add_argument('--fall', type=int, default=3)
    p.add_argument('--ip', dest='ips', action='append', default=[])
    p.add_argument('--next-hop', '-H', default=None)
    p.add_argument('--up-metric', type=int, default=100)
    p.add_argument('--down-metric', type=int, default=1000)
    p.add_argument('--disabled-metric', type=int, default=500)
    p.add_argument('--local-preference', type=int, default=None)
    p.add_argument('--community', default=None)
    p.add_argument('--withdraw-on-down', action='store_true')
    p.add_argument('--disable', default=None)
    p.add_argument('--no-ack', action='store_true')
    p.add_argument('--no-ip-setup', action='store_true')
    p.add_argument('--no-syslog', action='store_true')
    p.add_argument('--execute', action='append', default=[])
    p.add_argument('--up-execute', action='append', default=[])
    p.add_argument('--down-execute', action='append', default=[])
    p.add_argument('--disabled-execute', action='append', default=[])
    p.add_argument('--name', '-n', default=None)
    p.add_argument('--debug', '-d', action='store_true')
    p.add_argument('--silent', '-s', action='store_true')
    o = p.parse_args(argv)
    for ip in o.ips:
        ipaddress.ip_network(ip, strict=False)  # a bad --ip is an error now, not later
    return o


def check(options):
    # Waited for without --timeout: in the simulator a timeout would be
    # virtual time, which moves while the command runs in real time, so the
    # verdict would follow the machine's load. The helper blocks meanwhile
    # and virtual time stands still.
    if options.command is None:
        return True
    return subprocess.run(options.command, shell=True, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def tell(options, state):
    """The speaker's commands for `state` (UP, DOWN, DISABLED; others say nothing)."""
    if state not in (UP, DOWN, DISABLED):
        return
    metric = {UP: options.up_metric, DOWN: options.down_metric,
              DISABLED: options.disabled_metric}[state]
    for ip in options.ips:
        network = ipaddress.ip_network(ip, strict=False)
        route = 'route {} next-hop {}'.format(network, options.next_hop or 'self')
        if options.withdraw_on_down and state in (DOWN, DISABLED):
            line = 'withdraw ' + route
        else:
            line = 'announce {} med {}'.format(route, metric)
            if options.local_preference is not None:
                line += ' local-preference {}'.format(options.local_preference)
            if options.community:
                line += ' community [ {} ]'.format(options.community)
        sys.stdout.write(line + '\n')
        sys.stdout.flush()
        if not options.no_ack:
            answer = sys.stdin.readline()
            if not answer:
                raise SystemExit(0)  # the speaker is gone


def run_hooks(options, state):
    hooks = {UP: options.up_execute, DOWN: options.down_execute,
             DISABLED: options.disabled_execute}.get(state, [])
    for command in list(options.execute) + list(hooks):
        env = dict(os.environ, STATE=state)
        subprocess.run(command, shell=True, env=env)


def step(options, state, count):
    """One check: the next (state, count) and whether the state changed."""
    if options.disable is not None and os.path.exists(options.disable):
        return DISABLED, 0, state != DISABLED
    ok = check(options)
    if state in (INIT, DISABLED):
        if ok:
            return (UP, 0, True) if options.rise <= 1 else (RISING, 1, True)
        return (DOWN, 0, True) if options.fall <= 1 else (FALLING, 1, True)
    if state == RISING:
        if not ok:
            return (DOWN, 0, True) if options.fall <= 1 else (FALLING, 1, True)
        return (UP, 0, True) if count + 1 >= options.rise else (RISING, count + 1, False)
    if state == FALLING:
        if ok:
            return (UP, 0, True) if options.rise <= 1 else (RISING, 1, True)
        return (DOWN, 0, True) if count + 1 >= options.fall else (FALLING, count + 1, False)
    if state == UP:
        if ok:
            return UP, 0, False
        return (DOWN, 0, True) if options.fall <= 1 else (FALLING, 1, True)
    if ok:  # DOWN
        return (UP, 0, True) if options.rise <= 1 else (RISING, 1, True)
    return DOWN, 0, False


def main(argv=None):
    options = parse(sys.argv[1:] if argv is None else argv)
    state, count = INIT, 0
    try:
        while True:
            state, count, changed = step(options, state, count)
            if changed:
                run_hooks(options, state)
            tell(options, state)
            time.sleep(options.fast_interval if state in (RISING, FALLING) else options.interval)
    except (KeyboardInterrupt, BrokenPipeError):
        pass


if __name__ == '__main__':
    main()
