/**
 * On Linux, the process's other threads run at the lowest CPU priority (nice 19); the event loop's
 * thread keeps its own.
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
 */
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

const HELPER_THREAD_NICE = 19;

/** Lowers the priority of every thread of this process but the calling (main) one; returns how many
 * it lowered. Threads started later by the main thread (libuv's pool) keep the main thread's. */
export function lowerHelperThreadPriority(): number {
  if (process.platform !== "linux") return 0;
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const tid of tids) {
    const id = Number(tid);
    if (id === process.pid) continue;
    try {
      // On Linux, setpriority(PRIO_PROCESS, tid) applies to that one thread.
      setPriority(id, HELPER_THREAD_NICE);
      lowered++;
    } catch {
      // The thread ended meanwhile, or the system refuses: the server runs as before.
    }
  }
  return lowered;
}
