/**
 * One owner for a group of registrations. activate() puts everything it creates into a
 * single store that VS Code disposes, so nothing outlives the extension.
 */
export interface Disposable {
  dispose(): unknown;
}

export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      // Adding to a disposed store happens when an async start finishes after shutdown;
      // the item must not leak, so it is disposed at once.
      void item.dispose();
    } else {
      this.items.push(item);
    }
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Reverse order: later registrations may depend on earlier ones.
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        void item.dispose();
      } catch {
        // One failing dispose must not keep the others alive.
      }
    }
  }
}
