// The demo sentiment model: a real ONNX graph, two versions, v2 measurably better than v1.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { accuracy, predict, readExamples } from '../src/model/evaluate.js';
import { encodeBatch, PAD_ID, tokenize } from '../src/model/featurize.js';
import { demoModelOnnx } from '../src/model/sentiment.js';
import { ROOT } from './helpers.js';

const examples = readExamples(join(ROOT, 'testdata', 'sentiment', 'eval.tsv'));

describe('featurizer', () => {
  it('marks negation scope and the clause after "but"', () => {
    expect(tokenize("It isn't good, but the support was great")).toEqual([
      'it',
      'is',
      'not',
      'not_good',
      'the',
      'but_the',
      'support',
      'but_support',
      'was',
      'but_was',
      'great',
      'but_great',
    ]);
    expect(tokenize('never fails. works')).toEqual(['never', 'not_fails', 'works']);
  });

  it('pads a batch with the padding id', () => {
    const { ids, length } = encodeBatch(['good', 'very very good']);
    expect(length).toBe(3);
    expect(ids[1]).toBe(BigInt(PAD_ID));
  });
});

describe('demo models', () => {
  it('is deterministic: the same version builds the same bytes', () => {
    expect(Buffer.from(demoModelOnnx('2')).equals(Buffer.from(demoModelOnnx('2')))).toBe(true);
  });

  it('v2 beats v1 on the labelled evaluation set', async () => {
    const v1 = await accuracy(demoModelOnnx('1'), examples);
    const v2 = await accuracy(demoModelOnnx('2'), examples);
    expect(examples).toHaveLength(60);
    expect(v1).toBeCloseTo(0.65, 2);
    expect(v2).toBeCloseTo(0.867, 2);
    expect(v2 - v1).toBeGreaterThan(0.15);
  });

  it('ignores padding: a padded row scores like the unpadded text', async () => {
    const session = await ort.InferenceSession.create(demoModelOnnx('2'));
    const alone = await predict(session, ['excellent']);
    const padded = await predict(session, [
      'excellent',
      'this is a much longer sentence that forces padding',
    ]);
    expect(padded[0]).toBeCloseTo(alone[0]!, 6);
    await session.release();
  });
});

describe('mlp model eval on bad input', () => {
  it('reports a malformed data line, a missing file and a non-model file with exit 2', async () => {
    const { writeFileSync } = await import('node:fs');
    const { mlp, tempDir } = await import('./helpers.js');
    const dir = tempDir();
    const model = join(dir, 'm.onnx');
    writeFileSync(model, demoModelOnnx('1'));
    writeFileSync(join(dir, 'bad.tsv'), 'positive\tgood\nbogus line\n');
    const bad = await mlp(['model', 'eval', model, '--data', join(dir, 'bad.tsv')]);
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toContain('bad.tsv: line 2: expected "label<TAB>text"');
    expect((await mlp(['model', 'eval', model, '--data', join(dir, 'none.tsv')])).stderr).toContain(
      'cannot read',
    );
    writeFileSync(join(dir, 'junk.onnx'), 'not a model');
    const junk = await mlp(['model', 'eval', join(dir, 'junk.onnx')]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('not a sentiment model onnxruntime can run');
  });

  it('says when no registry answers, for push and alias', async () => {
    const { createServer } = await import('node:net');
    const { mlp, tempDir } = await import('./helpers.js');
    const { writeFileSync } = await import('node:fs');
    // A port that was free a moment ago: nothing listens there now.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
    await new Promise((r) => probe.close(r));
    const model = join(tempDir(), 'm.onnx');
    writeFileSync(model, demoModelOnnx('1'));
    for (const args of [
      ['model', 'push', model, '--name', 'x', '--registry', url],
      ['model', 'alias', 'x', 'champion', '1', '--registry', url],
    ]) {
      const r = await mlp(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot reach a registry at ${url} (ECONNREFUSED)`);
    }
  });
});
