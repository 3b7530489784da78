/**
 * A tiny typed emitter. Unlike Node's EventEmitter, an 'error' with no listener is not thrown:
 * the transport must never crash because nobody subscribed.
 */
export class TransportEvents {
  private readonly listeners = new Map<string, Set<(...args: any[]) => void>>();

  on(event: string, callback: (...args: any[]) => void): void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(callback);
  }

  has(event: string): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit(event: string, ...args: unknown[]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const callback of set) {
      try {
        callback(...args);
      } catch {
        // A listener's failure is its own; the transport goes on.
      }
    }
  }
}
