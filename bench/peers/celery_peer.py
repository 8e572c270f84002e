"""The Celery peer of deploy/bench.sh (scenario 2p): tasks/s end to end the way scenario 2 measures
Pulse. Debian's python3-celery on the same RabbitMQ (its own queue in the bench's virtual host),
persistent messages, late acks and a task that does nothing, in a prefork worker with the default
concurrency (one process per core). Two configurations: ``--guarantees default`` is Celery as it
comes (a classic durable queue, no publisher confirms: ``apply_async`` returns once the message is
written to the socket); ``--guarantees pulse`` adds what Pulse promises, a quorum queue and
publisher confirms (``confirm_publish``: ``apply_async`` returns once the broker confirmed, as Pulse
answers 202 once it did).
N client threads each send one task per call as fast as the broker confirms; the clock runs from
the first send until the worker has run every task that was sent.

  /usr/bin/python3 celery_peer.py --amqp-port 5672 --vhost pulse-bench --tasks 30000 --clients 16

Prints one JSON line with the figures. Every address is 127.0.0.1; every loop is bounded.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from celery import Celery, signals
from kombu import Exchange, Queue
from kombu.transport import pyamqp

QUEUE = "bench.celery"

# Celery 5.2 asks RabbitMQ for a channel-global prefetch, which quorum queues refuse (later Celery
# detects quorum queues itself); per-consumer prefetch is what its worker means here anyway.
pyamqp.Transport.qos_semantics_matches_spec = lambda self, connection: True

app = Celery("celery_peer")


def broker_url():
    return "pyamqp://guest:guest@127.0.0.1:%s/%s" % (
        os.environ.get("BENCH_AMQP_PORT", "5672"),
        os.environ.get("BENCH_VHOST", "pulse-bench"),
    )


def configure(guarantees):
    """pulse: quorum queue and publisher confirms, as Pulse; default: Celery's own defaults."""
    pulse = guarantees == "pulse"
    app.conf.broker_transport_options = {"confirm_publish": True} if pulse else {}
    app.conf.task_queues = [
        Queue(
            QUEUE,
            Exchange(QUEUE, type="direct", durable=True),
            routing_key=QUEUE,
            durable=True,
            queue_arguments={"x-queue-type": "quorum"} if pulse else None,
        )
    ]


app.conf.update(
    broker_url=broker_url(),
    broker_pool_limit=64,
    task_acks_late=True,
    task_ignore_result=True,
    task_default_queue=QUEUE,
    task_default_delivery_mode="persistent",
    worker_hijack_root_logger=False,
    worker_send_task_events=False,
)
configure(os.environ.get("BENCH_GUARANTEES", "pulse"))

_counter = None


@app.task(name="noop")
def noop():
    return None


@signals.task_postrun.connect
def _count(**_):
    # One byte per task run, appended (atomic with O_APPEND): the driver reads the count by size.
    global _counter
    if _counter is None:
        _counter = os.open(os.environ["BENCH_COUNTER"], os.O_WRONLY | os.O_APPEND)
    os.write(_counter, b".")


def cpu_millis(pid):
    """utime + stime of a process and of its live children (the prefork pool), from /proc."""
    total = 0
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) * 10
        except (OSError, IndexError, ValueError):
            pass
    return total


def drive(count, seconds, clients, counter_file, already_done):
    lock = threading.Lock()
    state = {"next": 0, "accepted": 0, "failed": 0}
    started = time.monotonic()
    deadline = started + seconds

    def client():
        while time.monotonic() < deadline:
            with lock:
                if state["next"] >= count or state["failed"] >= 100:
                    return
                state["next"] += 1
            try:
                noop.apply_async()
                with lock:
                    state["accepted"] += 1
            except Exception as e:  # counted, and the first printed
                with lock:
                    state["failed"] += 1
                    if state["failed"] == 1:
                        print("[celery] send failed: %r" % e, file=sys.stderr)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    drain_deadline = time.monotonic() + 30
    done_at = None
    while time.monotonic() < drain_deadline:
        if os.path.getsize(counter_file) - already_done >= state["accepted"]:
            done_at = time.monotonic()
            break
        time.sleep(0.002)
    completed = os.path.getsize(counter_file) - already_done
    return state["accepted"], completed, state["failed"], (done_at or time.monotonic()) - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--amqp-port", default="5672")
    parser.add_argument("--vhost", default="pulse-bench")
    parser.add_argument("--tasks", type=int, default=30000)
    parser.add_argument("--warmup", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--guarantees", choices=["pulse", "default"], default="pulse")
    a = parser.parse_args()

    work = tempfile.mkdtemp(prefix="pulse-bench-celery-")
    counter_file = os.path.join(work, "completed")
    open(counter_file, "w").close()
    env = dict(os.environ, BENCH_AMQP_PORT=a.amqp_port, BENCH_VHOST=a.vhost, BENCH_COUNTER=counter_file,
               BENCH_GUARANTEES=a.guarantees)
    os.environ.update(env)
    app.conf.broker_url = broker_url()
    configure(a.guarantees)
    here = os.path.dirname(os.path.abspath(__file__))
    with app.connection_for_write() as conn:
        # Declared before the worker starts, and emptied of an interrupted run's tasks.
        bound = app.conf.task_queues[0].bind(conn.default_channel)
        bound.declare()
        bound.purge()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_peer", "worker", "-Q", QUEUE,
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=here,
        env=dict(env, PYTHONPATH=here),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    try:
        # Warm-up, not measured (it also waits for the worker to consume: drive drains).
        drive(a.warmup, 60, a.clients, counter_file, 0)
        before_self = os.times()
        before_worker = cpu_millis(worker.pid)
        accepted, completed, failed, seconds = drive(a.tasks, a.seconds, a.clients, counter_file, a.warmup)
        after_self = os.times()
        producer = round((after_self.user + after_self.system - before_self.user - before_self.system) * 1000)
        print(json.dumps({
            "peer": "celery",
            "guarantees": a.guarantees,
            "version": __import__("celery").__version__,
            "jobs": accepted,
            "completed": completed,
            "failed": failed,
            "seconds": seconds,
            "perSecond": completed / seconds if seconds > 0 else 0,
            "clients": a.clients,
            "concurrency": os.cpu_count(),
            "cpuMillis": {"producer": producer, "worker": cpu_millis(worker.pid) - before_worker},
        }))
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        with app.connection_for_write() as conn:
            app.conf.task_queues[0].bind(conn.default_channel).delete()
        os.remove(counter_file)
        os.rmdir(work)


if __name__ == "__main__":
    main()
