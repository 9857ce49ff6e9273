#!/usr/bin/python3
# A load program (see load-process.ts for its contract): SQLAlchemy's QueuePool over psycopg2 (Debian
# python3-sqlalchemy, python3-psycopg2), as a threaded web application uses it. Each of `threads`
# threads checks a connection out, runs one `pg_sleep(query_seconds)` in it, checks it back in (the
# pool rolls the transaction back), then thinks for a random time between the two `gap_seconds`.
# `prewarm` connections are opened at start, as a pool after a busy minute holds them.
#   /usr/bin/python3 sqlalchemy-pool.py '{"host": …, "port": …, …}'   (PGPASSWORD by environment)
import json
import os
import random
import signal
import sys
import threading
import time

import psycopg2
import sqlalchemy
from sqlalchemy import create_engine, text

config = json.loads(sys.argv[1])
stopping = threading.Event()
deadline = time.monotonic() + config['limit_seconds']
lock = threading.Lock()
counters = {'waiting': 0, 'checkouts': 0, 'errors': 0, 'lastError': None}


def running():
    return not stopping.is_set() and time.monotonic() < deadline


def lifeline():
    # stdin closes when the parent goes, however it goes
    sys.stdin.read()
    stopping.set()


def count(key, delta=1):
    with lock:
        counters[key] += delta


def work(engine):
    while running():
        count('waiting')
        try:
            connection = engine.connect()
        except Exception as error:  # pool timeout, server gone
            counters['lastError'] = str(error).splitlines()[0]
            count('errors')
            continue
        finally:
            count('waiting', -1)
        try:
            with connection:
                count('checkouts')
                connection.execute(text('select pg_sleep(:seconds)'), {'seconds': config['query_seconds']})
        except Exception as error:
            counters['lastError'] = str(error).splitlines()[0]
            count('errors')
        low, high = config['gap_seconds']
        if high > 0:
            stopping.wait(random.uniform(low, high))


def status(pool):
    with lock:
        return {'at': int(time.time() * 1000), 'checkedOut': pool.checkedout(), 'idleInPool': pool.checkedin(), **counters}


def main():
    for signal_number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(signal_number, lambda *_: stopping.set())
    threading.Thread(target=lifeline, daemon=True).start()
    url = f"postgresql+psycopg2://{config['user']}@{config['host']}:{config['port']}/{config['dbname']}"
    engine = create_engine(url, pool_size=config['pool_size'], max_overflow=config['max_overflow'], pool_timeout=30,
                           connect_args={'application_name': config['application_name']})
    warm = [engine.connect() for _ in range(config['prewarm'])]
    for connection in warm:
        connection.close()
    threads = [threading.Thread(target=work, args=(engine,), daemon=True) for _ in range(config['threads'])]
    for thread in threads:
        thread.start()
    print(json.dumps({'ready': True, 'pid': os.getpid(), 'sqlalchemy': sqlalchemy.__version__,
                      'psycopg2': psycopg2.__version__.split()[0], 'poolSize': config['pool_size'],
                      'maxOverflow': config['max_overflow']}), flush=True)
    while running():
        print(json.dumps(status(engine.pool)), flush=True)
        stopping.wait(0.2)
    stopping.set()
    # A second at most for all: a thread waiting for a checkout may wait up to pool_timeout.
    joined_by = time.monotonic() + 1
    for thread in threads:
        thread.join(max(0, joined_by - time.monotonic()))
    engine.dispose()
    print(json.dumps(status(engine.pool)), flush=True)


main()
