import os from 'node:os';

/** Cores this process may use (CPU affinity; not a container's cgroup quota). */
export function availableCores(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}
