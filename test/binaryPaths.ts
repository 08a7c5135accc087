/**
 * What of the build machine a shipped `.node` file still names: an rpath or runpath (a
 * library search path baked in at link time) and the bytes of given absolute paths (the
 * repository, the build tree). Shared by the unit tier (the files `npm install` built) and the
 * vsix session (the files installed from the package). Plain Node.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const DT_RPATH = 15;
const DT_RUNPATH = 29;
const SHT_DYNAMIC = 6;

/** An ELF64 little-endian file's DT_RPATH and DT_RUNPATH strings, read from its dynamic section. */
export function elfSearchPaths(bytes: Buffer): string[] {
  if (bytes.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  const shentsize = bytes.readUInt16LE(0x3a);
  const shnum = bytes.readUInt16LE(0x3c);
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      type: bytes.readUInt32LE(at + 4),
      offset: Number(bytes.readBigUInt64LE(at + 0x18)),
      size: Number(bytes.readBigUInt64LE(at + 0x20)),
      link: bytes.readUInt32LE(at + 0x28),
    };
  };
  const out: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const dyn = section(i);
    if (dyn.type !== SHT_DYNAMIC) continue;
    // The dynamic section's strings live in the section its sh_link names (.dynstr).
    const strtab = section(dyn.link);
    for (let at = dyn.offset; at + 16 <= dyn.offset + dyn.size; at += 16) {
      const tag = Number(bytes.readBigInt64LE(at));
      if (tag === 0) break;
      if (tag !== DT_RPATH && tag !== DT_RUNPATH) continue;
      const start = strtab.offset + Number(bytes.readBigUInt64LE(at + 8));
      out.push(bytes.toString('latin1', start, bytes.indexOf(0, start)));
    }
  }
  return out;
}

/** The same, as `readelf -d` reports it; undefined when readelf is not installed. */
export function readelfSearchPaths(file: string): string[] | undefined {
  const r = spawnSync('readelf', ['-d', file], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return [...r.stdout.matchAll(/\((?:RPATH|RUNPATH)\)\s+Library (?:rpath|runpath): \[(.*)\]/g)].map((m) => m[1] ?? '');
}

/** Everything in `file` that names the build machine: "rpath …" and "contains …" findings. */
export function buildMachineTraces(file: string, paths: readonly string[]): string[] {
  const bytes = readFileSync(file);
  const found = elfSearchPaths(bytes).map((p) => `rpath/runpath ${p}`);
  for (const p of paths) if (p.length > 1 && bytes.includes(Buffer.from(p, 'latin1'))) found.push(`contains ${p}`);
  return found;
}
