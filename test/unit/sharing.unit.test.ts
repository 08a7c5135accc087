import * as assert from 'node:assert/strict';
import { EnvironmentMembers } from '../../src/processes/sharing';

describe('documents sharing one environment', () => {
  const a = 'file:///w/analysis.py';
  const b = 'file:///w/explore.ipynb';
  const c = 'file:///w/other.py';

  it('a document has its own process, keyed by its uri', () => {
    const m = new EnvironmentMembers();
    assert.equal(m.peek(a), a);
    assert.equal(m.processOf(a), a);
    assert.deepEqual(m.members(a), [a]);
    assert.equal(m.isShared(a), false);
  });

  it('sharing moves a document into the other one\'s process; its own, now empty, is to be closed', () => {
    const m = new EnvironmentMembers();
    m.processOf(a);
    m.processOf(b);
    assert.deepEqual(m.share(b, a), { process: a, orphaned: b });
    assert.equal(m.processOf(b), a);
    assert.deepEqual(m.members(a), [a, b]);
    assert.equal(m.isShared(a), true);
    assert.equal(m.isShared(b), true);
  });

  it('a document not given a process yet leaves the id of its own, which the caller closes if it exists', () => {
    const m = new EnvironmentMembers();
    assert.deepEqual(m.share(b, a), { process: a, orphaned: b });
    assert.deepEqual(m.members(a), [a, b]);
  });

  it('joining a group that already shares keeps everyone in one process', () => {
    const m = new EnvironmentMembers();
    m.share(b, a);
    assert.deepEqual(m.share(c, b), { process: a, orphaned: c });
    assert.deepEqual(m.members(a), [a, b, c]);
  });

  it('leaving a shared process with others still in it orphans nothing', () => {
    const m = new EnvironmentMembers();
    m.share(b, a);
    m.share(c, a);
    assert.deepEqual(m.share(b, c), { process: a, orphaned: undefined });
  });

  it('closing one document keeps the process; closing the last closes it', () => {
    const m = new EnvironmentMembers();
    m.share(b, a);
    assert.equal(m.close(a), undefined);
    assert.deepEqual(m.members(a), [b]);
    assert.equal(m.processOf(b), a);
    assert.equal(m.close(b), a);
    assert.deepEqual(m.members(a), []);
  });

  it('a document that comes back while its old id serves others gets a fresh process', () => {
    const m = new EnvironmentMembers();
    m.share(b, a);
    m.close(a);
    assert.equal(m.peek(a), undefined, 'no process yet: the one with its id is b\'s now');
    assert.equal(m.processOf(a), `${a}#env1`);
    assert.equal(m.processOf(b), a);
  });

  it('stop sharing gives a fresh process and leaves the others where they are', () => {
    const m = new EnvironmentMembers();
    m.share(b, a);
    assert.equal(m.stopSharing(a), `${a}#env1`);
    assert.equal(m.processOf(b), a);
    assert.equal(m.isShared(b), false);
    assert.equal(m.stopSharing(b), undefined, 'alone: nothing to stop');
    assert.equal(m.stopSharing(b), undefined);
  });

  it('the joining document stops sharing and gets its own uri back', () => {
    const m = new EnvironmentMembers();
    m.share(b, a);
    assert.equal(m.stopSharing(b), b);
  });

  it('closing a document never given a process closes a process with its id (one made through the API)', () => {
    const m = new EnvironmentMembers();
    assert.equal(m.close(a), a);
  });

  it('refuses to share with itself', () => {
    assert.throws(() => new EnvironmentMembers().share(a, a), /itself/);
  });
});
