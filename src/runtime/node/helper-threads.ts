/**
 * On Linux, the process's other threads run at the lowest CPU priority (nice 19, then SCHED_IDLE);
 * the event loop's thread keeps its own.
 *
 * Those threads are V8's helpers (optimizing compiles, GC helper tasks) and, when started, libuv's
 * pool (password hashing, file reads). An optimizing compile takes 1–6 ms and the server keeps
 * recompiling functions long after start. On a small machine (two vCPUs, shared with other
 * processes) such a compile held the event loop's CPU while the loop had a woken request to
 * answer: `perf sched timehist` showed the main thread runnable but waiting 1.8–2.2 ms behind its
 * own helper threads, in about one long-poll wake-up in twenty. At nice 19 the scheduler lets the
 * event loop run at once and the helpers use the idle time, as browsers run V8's workers at
 * background priority. Measured with two servers alternating wake-ups (as bench/wakeup-ab does):
 * wake-up p95 5.3 and 5.7 ms against 6.0 and 6.3 ms, p50 unchanged; send throughput unchanged.
 *
 * Nice 19 still lets a helper take the CPU from the event loop: `perf sched` showed a woken helper,
 * placed on the loop's own CPU, preempting it for up to a 4 ms tick, because the scheduler (EEVDF)
 * gives a long-sleeping task an early deadline whatever its nice value. So the helpers then move
 * to SCHED_IDLE, the policy Linux has for background work: a SCHED_IDLE thread never preempts a
 * normal one, a normal thread waking up always preempts it, and a CPU running only such threads
 * counts as idle when the scheduler places a woken thread. Node has no sched_setscheduler, so
 * util-linux's `chrt` sets it, in the background; without `chrt` the helpers stay at nice 19.
 * Measured like the above, six alternating pairs of 400: wake-up p95 lower in all six, by 0.3 ms
 * on average (4.5–5.2 against 4.7–5.4 ms), p50 equal; the send bench lost nothing.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

const HELPER_THREAD_NICE = 19;

/** Lowers the priority of every thread of this process but the calling (main) one, and asks for
 * SCHED_IDLE for them; returns how many it lowered. Threads started later by the main thread
 * (libuv's pool) keep the main thread's priority. */
export function lowerHelperThreadPriority(): number {
  if (process.platform !== "linux") return 0;
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return 0;
  }
  const helpers = tids.filter((tid) => Number(tid) !== process.pid);
  let lowered = 0;
  for (const tid of helpers) {
    try {
      // On Linux, setpriority(PRIO_PROCESS, tid) applies to that one thread.
      setPriority(Number(tid), HELPER_THREAD_NICE);
      lowered++;
    } catch {
      // The thread ended meanwhile, or the system refuses: the server runs as before.
    }
  }
  if (helpers.length > 0) scheduleAsIdle(helpers);
  return lowered;
}

/** Moves the threads to SCHED_IDLE with one shell running `chrt` per thread. Lowering one's own
 * threads needs no privilege. Nothing waits for it, and any failure (no `chrt`, a thread gone)
 * leaves those threads at nice 19. Never the main thread: an unprivileged process could not
 * bring it back from SCHED_IDLE. */
function scheduleAsIdle(tids: readonly string[]): void {
  const script = 'for tid in "$@"; do chrt --idle --pid 0 "$tid"; done';
  const child = spawn("sh", ["-c", script, "sh", ...tids], { stdio: "ignore" });
  child.on("error", () => {});
  child.unref();
}
