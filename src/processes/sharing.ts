/**
 * Which process each document's code runs in (issue 12, part 3). Plain Node; keys are
 * document uri strings and process ids.
 *
 * By default a document has a process of its own whose id is its uri, so a process made
 * through the API for that uri is the same one run selection uses. "Share Environment
 * with…" moves a document into another document's process; the process lives while any
 * document is in it. A document that needs a process of its own while its uri is still the
 * id of a process other documents use (it stopped sharing, or closed and came back) gets
 * `uri#envN`.
 */
export class EnvironmentMembers {
  /** Documents that have been given a process, and which. */
  private readonly processOfDoc = new Map<string, string>();
  private fresh = 0;

  /** The process of `doc` without giving it one: its own uri, unless other documents use that id. */
  peek(doc: string): string | undefined {
    return this.processOfDoc.get(doc) ?? (this.inUse(doc) ? undefined : doc);
  }

  /** The process of `doc`, given on first use. */
  processOf(doc: string): string {
    let p = this.processOfDoc.get(doc);
    if (p === undefined) {
      p = this.freeId(doc);
      this.processOfDoc.set(doc, p);
    }
    return p;
  }

  /** The documents in a process, in the order they joined. */
  members(process: string): string[] {
    return [...this.processOfDoc].filter(([, p]) => p === process).map(([d]) => d);
  }

  /**
   * `doc` runs in `target`'s process from now on. Returns that process and the one `doc`
   * left when no document remains in it (the caller closes it).
   */
  share(doc: string, target: string): { process: string; orphaned: string | undefined } {
    if (doc === target) throw new Error('a document cannot share its environment with itself');
    const to = this.processOf(target);
    const from = this.peek(doc);
    this.processOfDoc.delete(doc);
    this.processOfDoc.set(doc, to);
    const orphaned = from !== undefined && from !== to && !this.inUse(from) ? from : undefined;
    return { process: to, orphaned };
  }

  /** `doc` leaves a shared process for a new one of its own; undefined when it shares nothing. */
  stopSharing(doc: string): string | undefined {
    const from = this.processOfDoc.get(doc);
    if (from === undefined || this.members(from).length < 2) return undefined;
    this.processOfDoc.delete(doc);
    return this.processOf(doc);
  }

  /** True when `doc`'s process has other documents in it too. */
  isShared(doc: string): boolean {
    const p = this.processOfDoc.get(doc);
    return p !== undefined && this.members(p).length > 1;
  }

  /** `doc` closed. Returns the process to close when no document remains in it. */
  close(doc: string): string | undefined {
    const from = this.peek(doc);
    this.processOfDoc.delete(doc);
    return from !== undefined && !this.inUse(from) ? from : undefined;
  }

  private freeId(doc: string): string {
    if (!this.inUse(doc)) return doc;
    for (;;) {
      const id = `${doc}#env${++this.fresh}`;
      if (!this.inUse(id)) return id;
    }
  }

  private inUse(process: string): boolean {
    for (const p of this.processOfDoc.values()) if (p === process) return true;
    return false;
  }
}
