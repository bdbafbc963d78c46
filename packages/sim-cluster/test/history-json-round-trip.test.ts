// A failing run is replayed from its dumped history, so JSON lines must give back exactly the events that
// were written (bigints, bytes, dates, NaN and -0 included), and a hand-edited or truncated dump must be
// rejected with the line and field at fault rather than replayed wrongly.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { History } from '../src/history/history.js';
import { HistoryError } from '../src/history/history-error.js';
import { decodeJsonValue, encodeJsonValue } from '../src/history/json-value.js';
import { eventsArb, valueArb } from './history-arbitraries.js';

const SUBMIT =
  '{"type":"submit","n":0,"atMs":0,"client":"c","stream":0,"index":0,"op":"PUT","key":"1","seq":1}';

describe('History JSON lines', () => {
  it('round-trips any history exactly', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const text = History.fromEvents(events).toJsonLines();
        const replayed = History.fromJsonLines(text);
        expect(replayed.events).toStrictEqual(events);
        expect(replayed.toJsonLines()).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any value a row can hold', () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        const json = JSON.parse(JSON.stringify(encodeJsonValue(value, 'v')));
        expect(decodeJsonValue(json, 'v')).toStrictEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it('writes one line per event, each ending in a newline, and nothing for an empty history', () => {
    const history = History.fromJsonLines(`${SUBMIT}\n`);
    expect(history.toJsonLines()).toBe(`${SUBMIT}\n`);
    expect(History.fromEvents([]).toJsonLines()).toBe('');
    expect(History.fromJsonLines('\n\n').events).toEqual([]);
  });

  it('writes special values as tags that data cannot imitate', () => {
    const row = {
      big: 5n,
      bytes: new Uint8Array([1, 2]),
      nan: Number.NaN,
      neg: -0,
      $bigint: '7',
      when: new Date(0),
    };
    const json = JSON.stringify(encodeJsonValue(row, 'row'));
    expect(json).toBe(
      '{"big":{"$bigint":"5"},"bytes":{"$bytes":"AQI="},"nan":{"$number":"NaN"},"neg":{"$number":"-0"},' +
        '"$$bigint":"7","when":{"$date":0}}',
    );
    expect(decodeJsonValue(JSON.parse(json), 'row')).toStrictEqual(row);
  });

  it('keeps fields named __proto__ and constructor as plain own fields', () => {
    const json = '{"__proto__":{"polluted":true},"constructor":{"name":"x"}}';
    const decoded = decodeJsonValue(JSON.parse(json), 'row') as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: true });
    expect('polluted' in {}).toBe(false);
    expect(JSON.stringify(encodeJsonValue(decoded, 'row'))).toBe(json);
  });

  it('rejects a value JSON lines cannot keep, naming where it is', () => {
    const history = new History({ clock: { now: () => 0 } });
    history.recordApply({
      node: 'n',
      table: 'T',
      partition: 0,
      key: 'k',
      row: { tags: [new Map()] },
      commitTs: 1n,
    });
    expect(() => history.toJsonLines()).toThrow(HistoryError);
    expect(() => history.toJsonLines()).toThrow(/event 0 row\.tags\[0\]: \[object Map\] cannot be written/);
    expect(() => encodeJsonValue({ f: () => 1 }, 'row')).toThrow(/row\.f: a function cannot be written/);
    let thrown: unknown;
    try {
      history.hash();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HistoryError);
    expect((thrown as HistoryError).code).toBe('VALUE_NOT_ENCODABLE');
  });

  it.each([
    ['not JSON', '{"type":', /line 1: not valid JSON/],
    ['not an object', '[1]', /line 1: expected a JSON object/],
    ['an unknown type', '{"type":"poke","n":0,"atMs":0}', /line 1: field "type" must be one of submit, /],
    ['a missing field', SUBMIT.replace(',"seq":1', ''), /line 1: missing field "seq"/],
    [
      'a wrong type',
      SUBMIT.replace('"stream":0', '"stream":"0"'),
      /line 1: field "stream" must be an integer >= 0/,
    ],
    ['an unknown field', SUBMIT.replace('}', ',"extra":1}'), /line 1: unknown field "extra"/],
    ['an unknown op', SUBMIT.replace('"PUT"', '"GET"'), /field "op" must be one of PUT, REMOVE/],
    [
      'a bad commit timestamp',
      '{"type":"apply","n":0,"atMs":0,"node":"n","table":"T","partition":0,"key":"k","row":null,"commitTs":"1e3"}',
      /field "commitTs" must be a decimal integer string/,
    ],
    [
      'a malformed tag',
      '{"type":"apply","n":0,"atMs":0,"node":"n","table":"T","partition":0,"key":"k","row":{"a":{"$bigint":"x"}},"commitTs":"1"}',
      /line 1: row\.a: malformed \$bigint value "x"/,
    ],
    [
      'an unescaped $ field',
      '{"type":"fault","n":0,"atMs":0,"kind":"drop","details":{"$x":1,"y":2}}',
      /line 1: details: field "\$x" is not a known tag/,
    ],
    [
      'an unknown error code',
      '{"type":"fail","n":0,"atMs":0,"client":"c","stream":0,"indexes":[0],"code":"OOPS"}',
      /field "code" must be an error code/,
    ],
  ])('rejects a line with %s', (_what, line, message) => {
    expect(() => History.fromJsonLines(`${line}\n`)).toThrow(HistoryError);
    expect(() => History.fromJsonLines(`${line}\n`)).toThrow(message);
  });

  it('rejects events out of sequence or going back in time, naming the line', () => {
    const second = SUBMIT.replace('"n":0', '"n":1').replace('"index":0', '"index":1');
    expect(() => History.fromJsonLines(`${SUBMIT}\n\n${SUBMIT}\n`)).toThrow(/line 3: n must be 1/);
    const early = second.replace('"atMs":0', '"atMs":-1');
    expect(() => History.fromJsonLines(`${SUBMIT}\n${early}\n`)).toThrow(/line 2: atMs -1 is before/);
    expect(History.fromJsonLines(`${SUBMIT}\n${second}`).length).toBe(2);
  });
});
