import * as assert from 'node:assert/strict';
import { activeParameterIndex, callTarget, completionTarget, hoverTarget } from '../../src/surfaces/live/target';

describe('live completions: the text before the cursor', () => {
  describe('completionTarget', () => {
    const cases: [string, string, ReturnType<typeof completionTarget>][] = [
      ['attribute of a name', 'df.', { kind: 'attr', expr: 'df', prefix: '' }],
      ['attribute being typed', 'x = np.lin', { kind: 'attr', expr: 'np', prefix: 'lin' }],
      ['dotted chain', 'np.linalg.no', { kind: 'attr', expr: 'np.linalg', prefix: 'no' }],
      ['spaces around the dot', 'np . linalg .', { kind: 'attr', expr: 'np.linalg', prefix: '' }],
      ['literal subscript in the chain', "d['a'].up", { kind: 'attr', expr: "d['a']", prefix: 'up' }],
      ['integer subscript', 'rows[0].', { kind: 'attr', expr: 'rows[0]', prefix: '' }],
      ['only the last line counts', 'a = 1\nprint(df.', { kind: 'attr', expr: 'df', prefix: '' }],
      ['dict key, single quote', "d['", { kind: 'key', expr: 'd', prefix: '', quote: "'" }],
      ['dict key being typed, double quote', 'print(cfg["ho', { kind: 'key', expr: 'cfg', prefix: 'ho', quote: '"' }],
      ['key of a nested value', "d['a'][\"b", { kind: 'key', expr: "d['a']", prefix: 'b', quote: '"' }],
      ['plain name', 'x = my_va', { kind: 'name', expr: '', prefix: 'my_va' }],
      ['name at the start', 'pri', { kind: 'name', expr: '', prefix: 'pri' }],
      ['result of a call: not looked up', 'f().', undefined],
      ['subscript with a variable: not looked up', 'a[i].', undefined],
      ['string literal method: not looked up', "'abc'.", undefined],
      ['a float', 'x = 1.', undefined],
      ['inside a comment', '# df.', undefined],
      ['inside a string', "print('df.", undefined],
      ['f-string key: not looked up', "d[f'", undefined],
      ['after a closed string', "d['a'] + x.", { kind: 'attr', expr: 'x', prefix: '' }],
      ['hash inside a string is no comment', "s = '#'; df.", { kind: 'attr', expr: 'df', prefix: '' }],
      ['import lines are the language server\'s', 'from os import pa', undefined],
      ['import of a dotted module', 'import os.pa', undefined],
      ['nothing typed', 'x = ', undefined],
      ['inside a triple-quoted string', '"""\ndf.', undefined],
      ['after a closed triple-quoted string', '"""doc"""\ndf.', { kind: 'attr', expr: 'df', prefix: '' }],
    ];
    for (const [name, before, want] of cases) {
      it(name, () => assert.deepEqual(completionTarget(before), want));
    }
  });

  describe('callTarget', () => {
    const cases: [string, string, ReturnType<typeof callTarget>][] = [
      ['first argument', 'np.linspace(', { expr: 'np.linspace', activeParameter: 0 }],
      ['third argument', 'f(1, g(2, 3), ', { expr: 'f', activeParameter: 2 }],
      ['inside a nested call', 'f(1, g(2, ', { expr: 'g', activeParameter: 1 }],
      ['commas in strings do not count', "f('a,b', ", { expr: 'f', activeParameter: 1 }],
      ['a keyword argument', 'print(1, sep=', { expr: 'print', activeParameter: 1, keyword: 'sep' }],
      ['a comparison is no keyword', 'f(a == ', { expr: 'f', activeParameter: 0 }],
      ['over several lines', 'df.groupby(\n    "a",\n    ', { expr: 'df.groupby', activeParameter: 1 }],
      ['a method of a subscript', "d['k'].get(", { expr: "d['k'].get", activeParameter: 0 }],
      ['inside a list literal first', 'f([1, ', undefined],
      ['after the call closed', 'f(1)', undefined],
      ['a call of a call result', 'f()(', undefined],
      ['a keyword is no callee', 'if (', undefined],
      ['in a comment', '# f(', undefined],
    ];
    for (const [name, before, want] of cases) {
      it(name, () => assert.deepEqual(callTarget(before), want));
    }
  });

  describe('hoverTarget', () => {
    const cases: [string, string, number, ReturnType<typeof hoverTarget>][] = [
      ['a name', 'x = df + 1', 5, { expr: 'df', start: 4, end: 6 }],
      ['the first part of a dotted name', 'np.linalg.norm(a)', 1, { expr: 'np', start: 0, end: 2 }],
      ['a middle part', 'np.linalg.norm(a)', 5, { expr: 'np.linalg', start: 3, end: 9 }],
      ['the last part', 'np.linalg.norm(a)', 12, { expr: 'np.linalg.norm', start: 10, end: 14 }],
      ['after a literal subscript', "d['a'].upper()", 8, { expr: "d['a'].upper", start: 7, end: 12 }],
      ['a number', 'x = 12', 5, undefined],
      ['a keyword', 'for x in y:', 1, undefined],
      ['in a comment', '# df', 3, undefined],
      ['in a string', "print('df')", 8, undefined],
      ['an attribute of a call result', 'f().x', 4, undefined],
    ];
    for (const [name, line, ch, want] of cases) {
      it(name, () => assert.deepEqual(hoverTarget(line, ch), want));
    }
  });
});

describe('live signatures: the active parameter', () => {
  const p = (name: string, kind = 'POSITIONAL_OR_KEYWORD') => ({ name, kind });
  const sig = [p('a'), p('b'), p('args', 'VAR_POSITIONAL'), p('sep', 'KEYWORD_ONLY'), p('kw', 'VAR_KEYWORD')];
  const cases: [string, Parameters<typeof activeParameterIndex>[1], number][] = [
    ['the first', { expr: 'f', activeParameter: 0 }, 0],
    ['the second', { expr: 'f', activeParameter: 1 }, 1],
    ['past the named ones: *args', { expr: 'f', activeParameter: 5 }, 2],
    ['a keyword names its parameter', { expr: 'f', activeParameter: 0, keyword: 'sep' }, 3],
    ['an unknown keyword falls back to the position', { expr: 'f', activeParameter: 1, keyword: 'zzz' }, 1],
  ];
  for (const [name, target, want] of cases) {
    it(name, () => assert.equal(activeParameterIndex(sig, target), want));
  }
  it('more arguments than parameters and no *args: none', () => assert.equal(activeParameterIndex([p('a')], { expr: 'f', activeParameter: 2 }), -1));
  it('keyword-only after the positional ones: none by position', () => assert.equal(activeParameterIndex([p('a'), p('k', 'KEYWORD_ONLY')], { expr: 'f', activeParameter: 1 }), -1));
});
