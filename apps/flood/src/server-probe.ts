import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ServerReport {
  pid: number;
  rssBefore: number;
  rssAfter: number;
  /** Highest RSS seen while sampling every 250 ms. */
  rssPeak: number;
  /** CPU time (user + system) the server used during the run. */
  cpuMs: number;
}

interface Sample {
  rss: number;
  cpuMs: number;
}

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/**
 * Samples a local server process from /proc/PID/status (VmRSS) and /proc/PID/stat (utime and
 * stime, fields 14 and 15): what the server paid for the attack, seen from outside.
 */
export class ServerProbe {
  private readonly ticks = clockTicks();
  private before: Sample | undefined;
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly pid: number) {}

  sample(): Sample {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rss = kb ? Number(kb[1]) * 1024 : 0;
    if (rss > this.peak) this.peak = rss;
    return { rss, cpuMs: (ticks * 1000) / this.ticks };
  }

  /** Takes the "before" sample (throws if the process cannot be read) and starts sampling. */
  start(): void {
    this.before = this.sample();
    this.timer = setInterval(() => {
      try {
        this.sample();
      } catch {
        // The process may be gone; the final sample says so.
      }
    }, 250);
    this.timer.unref();
  }

  stop(): ServerReport {
    clearInterval(this.timer);
    const after = this.sample();
    const before = this.before ?? after;
    return {
      pid: this.pid,
      rssBefore: before.rss,
      rssAfter: after.rss,
      rssPeak: this.peak,
      cpuMs: Math.round(after.cpuMs - before.cpuMs),
    };
  }
}
