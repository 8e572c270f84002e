// The BullMQ peer of deploy/bench.sh (scenario 2p): tasks/s end to end the way scenario 2 measures
// Pulse. A Redis of its own (AOF, fsync every second) on a port of its own, so the system's Redis
// is never touched; a worker process running a job that does nothing; N async clients in this
// process each adding one job per call and awaiting it, as fast as Redis answers. The clock runs
// from the first add until the worker has completed every job that was added.
//
//   node bullmq-peer.mjs --port 16390 --jobs 30000 --seconds 60 --clients 16 --concurrency 16
//
// Prints one JSON line with the figures. Every address is 127.0.0.1; every loop is bounded.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const port = Number(args.port ?? 16390);
const queueName = "bench-bullmq";
const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };

const { Queue, Worker } = await import("bullmq");

if (args.worker !== undefined) {
  // The worker process: complete every job, and count each completion into a file by appending a
  // byte (O_APPEND writes are atomic), which the producer reads by size.
  const counter = fs.openSync(args.counter, "a");
  const worker = new Worker(queueName, async () => {}, {
    connection,
    concurrency: Number(args.concurrency ?? 16),
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 1000 },
  });
  worker.on("completed", () => fs.writeSync(counter, "."));
  worker.on("error", (e) => console.error("[bullmq worker] " + e.message));
  process.on("SIGTERM", async () => {
    await worker.close();
    process.exit(0);
  });
  await worker.waitUntilReady();
  console.log("ready");
} else {
  await main();
}

async function main() {
  const jobs = Number(args.jobs ?? 30000);
  const warmup = Number(args.warmup ?? 5000);
  const seconds = Number(args.seconds ?? 60);
  const clients = Number(args.clients ?? 16);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulse-bench-bullmq-"));
  const counterFile = path.join(dir, "completed");
  fs.writeFileSync(counterFile, "");
  const redis = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes",
     "--appendfsync", "everysec", "--save", "", "--protected-mode", "yes", "--loglevel", "warning"],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  let worker;
  try {
    const queue = new Queue(queueName, { connection });
    await until(10_000, async () => {
      try {
        await queue.waitUntilReady();
        return true;
      } catch {
        return false;
      }
    });
    worker = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), "--worker", "1", "--port", String(port), "--counter", counterFile,
       "--concurrency", String(args.concurrency ?? 16)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise((resolve, reject) => {
      worker.stdout.once("data", resolve);
      worker.once("exit", (code) => reject(new Error("the BullMQ worker exited with " + code)));
    });

    // Warm-up, not measured: the same calls, so V8 has compiled the path before the clock starts.
    await drive(queue, warmup, 30, clients, counterFile, 0);
    const measured = await drive(queue, jobs, seconds, clients, counterFile, warmup);
    const cpu = cpuMillis([process.pid, worker.pid, redis.pid]);
    const before = measured.cpuBefore;
    console.log(
      JSON.stringify({
        peer: "bullmq",
        version: JSON.parse(fs.readFileSync(new URL("./node_modules/bullmq/package.json", import.meta.url))).version,
        jobs: measured.accepted,
        completed: measured.completed,
        failed: measured.failed,
        seconds: measured.seconds,
        perSecond: measured.completed / measured.seconds,
        clients,
        concurrency: Number(args.concurrency ?? 16),
        cpuMillis: { producer: cpu[0] - before[0], worker: cpu[1] - before[1], redis: cpu[2] - before[2] },
      }),
    );
    await queue.close();
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill("SIGTERM");
      await new Promise((resolve) => worker.once("exit", resolve));
    }
    redis.kill("SIGTERM");
    await new Promise((resolve) => redis.once("exit", resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }

  async function drive(queue, count, limitSeconds, clients, counterFile, alreadyDone) {
    const cpuBefore = cpuMillis([process.pid, worker.pid, redis.pid]);
    let next = 0;
    let accepted = 0;
    let failed = 0;
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(limitSeconds) * 1_000_000_000n;
    const client = async () => {
      while (next < count && process.hrtime.bigint() < deadline && failed < 100) {
        next++;
        try {
          await queue.add("noop", {}, { removeOnComplete: true, removeOnFail: 1000 });
          accepted++;
        } catch (e) {
          failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, client));
    // Drain: at most 30 s more for the worker to complete what was added.
    const drained = await until(30_000, () => fs.statSync(counterFile).size - alreadyDone >= accepted);
    const completed = fs.statSync(counterFile).size - alreadyDone;
    const seconds = Number((drained ?? process.hrtime.bigint()) - started) / 1e9;
    return { accepted, completed, failed, seconds, cpuBefore };
  }
}

/** Polls every 2 ms until check() is true; the time it became true, or null at the limit. */
async function until(limitMillis, check) {
  const deadline = Date.now() + limitMillis;
  while (Date.now() < deadline) {
    if (await check()) {
      return process.hrtime.bigint();
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return null;
}

/** utime + stime of each process, from /proc (USER_HZ = 100). */
function cpuMillis(pids) {
  return pids.map((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).trim().split(/\s+/);
      return (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      return 0;
    }
  });
}
