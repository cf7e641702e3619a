/**
 * Values and how Go renders them in an error message, written from Go's documented rules
 * (strconv.Quote; encoding/json.Marshal; fmt's %v; apimachinery's field.Error.ErrorBody).
 * The unit tests check our renderings against them; go-oracle.test.ts checks them, and thousands
 * of generated values, against Go and apimachinery themselves.
 */

/** Inputs and what %q prints for them. */
export const QUOTE_CASES: { name: string; input: string; quoted: string }[] = [
  { name: 'an empty string is two quotes', input: '', quoted: '""' },
  { name: 'a DNS label is kept as it is', input: 'member-2', quoted: '"member-2"' },
  { name: 'a control character below space is \\x and two hex digits', input: 'h\x01', quoted: '"h\\x01"' },
  { name: 'NUL is \\x00', input: '\0', quoted: '"\\x00"' },
  { name: 'DEL is \\x7f', input: '\x7f', quoted: '"\\x7f"' },
  {
    name: 'the seven C escapes keep their letters',
    input: '\x07\b\f\n\r\t\v',
    quoted: '"\\a\\b\\f\\n\\r\\t\\v"',
  },
  { name: 'a double quote and a backslash are backslashed', input: 'a"b\\c', quoted: '"a\\"b\\\\c"' },
  { name: 'a single quote is kept (only the quote in use is escaped)', input: "it's", quoted: '"it\'s"' },
  { name: 'HTML characters are kept, not \\u003c', input: '<b>&amp;</b>', quoted: '"<b>&amp;</b>"' },
  { name: 'the line separator U+2028 is escaped', input: 'a\u2028b', quoted: '"a\\u2028b"' },
  { name: 'the paragraph separator U+2029 is escaped', input: '\u2029', quoted: '"\\u2029"' },
  {
    name: 'a no-break space is escaped: only the ASCII space is printable',
    input: '\u00a0',
    quoted: '"\\u00a0"',
  },
  { name: 'an ideographic space is escaped', input: '\u3000', quoted: '"\\u3000"' },
  { name: 'a C1 control is escaped with \\u', input: '\u0085', quoted: '"\\u0085"' },
  { name: 'a soft hyphen (a format character) is escaped', input: '\u00ad', quoted: '"\\u00ad"' },
  { name: 'a zero-width space is escaped', input: 'a\u200bb', quoted: '"a\\u200bb"' },
  { name: 'a right-to-left override is escaped', input: '\u202e', quoted: '"\\u202e"' },
  { name: 'a byte-order mark is escaped', input: '\ufeff', quoted: '"\\ufeff"' },
  { name: 'a private-use character is escaped', input: '\ue000', quoted: '"\\ue000"' },
  { name: 'a letter with an accent is kept', input: 'café', quoted: '"café"' },
  { name: 'a combining mark is kept', input: 'e\u0301', quoted: '"e\u0301"' },
  { name: 'Chinese is kept', input: '成员集群', quoted: '"成员集群"' },
  { name: 'an emoji beyond the BMP is kept', input: '🙂', quoted: '"🙂"' },
  {
    name: 'a tag character beyond the BMP is \\U and eight hex digits',
    input: '\u{e0001}',
    quoted: '"\\U000e0001"',
  },
  { name: 'a supplementary private-use character is \\U', input: '\u{f0000}', quoted: '"\\U000f0000"' },
  {
    name: 'a lone surrogate is U+FFFD, as Go decodes an unpaired \\ud800, and is kept',
    input: 'a\ud800b',
    quoted: '"a\ufffdb"',
  },
  { name: 'the replacement character itself is kept', input: '\ufffd', quoted: '"\ufffd"' },
  {
    name: 'a character Unicode assigned after 15.0 (Go’s version) is escaped as unassigned',
    input: '\u{2ebf0}',
    quoted: '"\\U0002ebf0"',
  },
];

/** Values and what Go's json.Marshal writes for them, once the API server has decoded them. */
export const JSON_CASES: { name: string; value: unknown; json: string }[] = [
  {
    name: 'a plain list of strings is as JSON.stringify writes it',
    value: ['CrossCluster'],
    json: '["CrossCluster"]',
  },
  {
    name: 'HTML characters in a string are \\u003c, \\u003e and \\u0026',
    value: ['<a>&'],
    json: '["\\u003ca\\u003e\\u0026"]',
  },
  { name: 'U+2028 and U+2029 are escaped', value: ['\u2028\u2029'], json: '["\\u2028\\u2029"]' },
  {
    name: 'backspace and form feed have short escapes (Go 1.22 on), other controls \\u00XX',
    value: ['\b\f\n\r\t\x01\x1f'],
    json: '["\\b\\f\\n\\r\\t\\u0001\\u001f"]',
  },
  {
    name: 'DEL, a no-break space and a zero-width space are written as they are',
    value: ['\x7f\u00a0\u200b'],
    json: '["\x7f\u00a0\u200b"]',
  },
  { name: 'a quote and a backslash are backslashed', value: ['"\\'], json: '["\\"\\\\"]' },
  {
    name: 'a lone surrogate is the replacement character, written as it is',
    value: ['\udc00'],
    json: '["\ufffd"]',
  },
  { name: 'an emoji is written as it is', value: ['🙂'], json: '["🙂"]' },
  {
    name: 'map keys are sorted by their bytes',
    value: { b: 1, a: 2, B: 3, é: 4, z: 5 },
    json: '{"B":3,"a":2,"b":1,"z":5,"é":4}',
  },
  {
    name: 'a key beyond the BMP sorts after U+FFFF, as its UTF-8 bytes do (not its UTF-16 units)',
    value: { '\uffee': 1, '🙂': 2 },
    json: '{"\uffee":1,"🙂":2}',
  },
  { name: 'a key is escaped as a string is', value: { '<k>': true }, json: '{"\\u003ck\\u003e":true}' },
  {
    name: 'null, booleans and nesting',
    value: [null, true, false, [[]], {}],
    json: '[null,true,false,[[]],{}]',
  },
  { name: 'a whole number is written in full', value: [80, -1, 2147483648], json: '[80,-1,2147483648]' },
  { name: 'a fraction is written with its shortest digits', value: [80.5, 0.1], json: '[80.5,0.1]' },
  { name: 'a number from 1e21 has an exponent', value: [1e21, 1.5e300], json: '[1e+21,1.5e+300]' },
  {
    name: 'a number below 1e-6 has an exponent without padding',
    value: [1e-7, 2.5e-10],
    json: '[1e-7,2.5e-10]',
  },
  { name: 'a number just above 1e-6 has none', value: [0.000001], json: '[0.000001]' },
];

/** Numbers and what %v prints for the Go value the API server decodes each into. */
export const NUMBER_CASES: { name: string; value: number; printed: string }[] = [
  { name: 'a port is printed in full', value: 80, printed: '80' },
  { name: 'a negative number is printed in full', value: -1, printed: '-1' },
  {
    name: 'a number beyond int32 is still an int64, printed in full',
    value: 2147483648,
    printed: '2147483648',
  },
  { name: 'a million, an int64, is printed in full', value: 1e6, printed: '1000000' },
  { name: 'a fraction is a float64 with its shortest digits', value: 80.5, printed: '80.5' },
  { name: 'a float64 from 1e6 on has an exponent of two digits', value: 1234567.5, printed: '1.2345675e+06' },
  { name: 'a float64 below 1e-4 has an exponent', value: 0.00001, printed: '1e-05' },
  { name: 'a float64 of 1e-4 has none', value: 0.0001, printed: '0.0001' },
  { name: 'a whole number beyond int64 is a float64, with an exponent', value: 1e20, printed: '1e+20' },
  { name: 'a float64 with a three-digit exponent keeps it', value: 1.5e300, printed: '1.5e+300' },
];

/** Bad values and the whole message of field.Invalid(spec.ports[0].port, value, detail). */
export const MESSAGE_CASES: { name: string; value: unknown; message: string }[] = [
  {
    name: 'a port number is bare',
    value: 80.5,
    message: 'spec.ports[0].port: Invalid value: 80.5: must be an integer',
  },
  {
    name: 'a string is %q, with its control character escaped',
    value: 'h\x01<',
    message: 'spec.ports[0].port: Invalid value: "h\\x01<": must be an integer',
  },
  {
    name: 'a boolean is bare',
    value: true,
    message: 'spec.ports[0].port: Invalid value: true: must be an integer',
  },
  {
    name: 'null is null',
    value: null,
    message: 'spec.ports[0].port: Invalid value: null: must be an integer',
  },
  {
    name: 'a list is json.Marshal, with HTML characters escaped',
    value: ['<x>'],
    message: 'spec.ports[0].port: Invalid value: ["\\u003cx\\u003e"]: must be an integer',
  },
  {
    name: 'an object is json.Marshal, keys sorted',
    value: { port: 80, name: 'http' },
    message: 'spec.ports[0].port: Invalid value: {"name":"http","port":80}: must be an integer',
  },
];
