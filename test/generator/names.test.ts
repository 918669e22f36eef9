/**
 * Tests of generator/names.ts: identifiers, names derived from routes, and unique suffixes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { capitalize, isIdentifier, nameFromRoute, toIdentifier, uniqueNames } from '../../generator/names.js';

describe('isIdentifier', () => {
  const cases: Array<[string, { given: string; want: boolean }]> = [
    ['accepts a camelCase name', { given: 'getNewsForApp', want: true }],
    ['accepts leading underscore and dollar', { given: '_$private1', want: true }],
    ['rejects a leading digit', { given: '2fa', want: false }],
    ['rejects a dash', { given: 'get-content', want: false }],
    ['rejects a slash', { given: 'repos/get', want: false }],
    ['rejects a dot', { given: 'pets.list', want: false }],
    ['rejects a space', { given: 'get pets', want: false }],
    ['rejects the empty string', { given: '', want: false }],
    ['rejects non-ASCII letters', { given: 'café', want: false }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => assert.equal(isIdentifier(given), want));
  }
});

describe('toIdentifier', () => {
  const cases: Array<[string, { given: string; want: string }]> = [
    ['keeps an identifier as it is', { given: 'getNewsForApp', want: 'getNewsForApp' }],
    ['keeps underscores of an identifier', { given: 'get_news', want: 'get_news' }],
    ['joins words split by slash and dash in camelCase', { given: 'repos/get-content', want: 'reposGetContent' }],
    ['joins words split by dots', { given: 'pets.list', want: 'petsList' }],
    ['joins words split by spaces', { given: 'list all pets', want: 'listAllPets' }],
    ['keeps the case of the first word', { given: 'Repos/get', want: 'ReposGet' }],
    ['prefixes a leading digit with an underscore', { given: '2fa', want: '_2fa' }],
    ['prefixes a leading digit after dropped punctuation', { given: '-3d-models', want: '_3dModels' }],
    ['gives an underscore for text without letters or digits', { given: '--/--', want: '_' }],
    ['gives an underscore for the empty string', { given: '', want: '_' }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const got = toIdentifier(given);
      assert.equal(got, want);
      assert.ok(isIdentifier(got), `${got} is an identifier`);
    });
  }
});

describe('nameFromRoute', () => {
  const cases: Array<[string, { given: [method: string, path: string]; want: string }]> = [
    ['names a path parameter By<Name>', { given: ['get', '/pets/{petId}/toys'], want: 'getPetsByPetIdToys' }],
    ['lower-cases the method', { given: ['DELETE', '/pets/{petId}'], want: 'deletePetsByPetId' }],
    ['names the root path by its method alone', { given: ['get', '/'], want: 'get' }],
    ['ignores a trailing slash', { given: ['post', '/pets/'], want: 'postPets' }],
    ['camel-cases segments with punctuation', { given: ['get', '/v1/user-accounts.json'], want: 'getV1UserAccountsJson' }],
    ['camel-cases a parameter name with punctuation', { given: ['put', '/pets/{pet-id}'], want: 'putPetsByPetId' }],
    ['keeps an identifier for a segment with a leading digit', { given: ['get', '/2fa'], want: 'get_2fa' }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      const got = nameFromRoute(...given);
      assert.equal(got, want);
      assert.ok(isIdentifier(got), `${got} is an identifier`);
    });
  }
});

describe('capitalize', () => {
  test('upper-cases the first letter only', () => {
    assert.equal(capitalize('getNewsForApp'), 'GetNewsForApp');
    assert.equal(capitalize(''), '');
  });
});

describe('uniqueNames', () => {
  const cases: Array<[string, { given: string[]; want: string[] }]> = [
    ['keeps names that are already unique', { given: ['a', 'b', 'c'], want: ['a', 'b', 'c'] }],
    ['suffixes later duplicates with 2, 3, ... in order', { given: ['a', 'b', 'a', 'a'], want: ['a', 'b', 'a2', 'a3'] }],
    ['treats names as case-sensitive', { given: ['getPet', 'GetPet'], want: ['getPet', 'GetPet'] }],
    ['skips a suffix that an earlier name already has', { given: ['a2', 'a', 'a'], want: ['a2', 'a', 'a3'] }],
    // A name that is unique in the input must survive: the transform's names double as lookup
    // keys next to operationIds, so renaming an explicit `a2` to `a22` makes `a2` ambiguous.
    ['never renames a name that is unique in the input', { given: ['a', 'a', 'a2'], want: ['a', 'a3', 'a2'] }],
    ['gives an empty list for no names', { given: [], want: [] }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => assert.deepEqual(uniqueNames(given), want));
  }

  test('gives the same names for the same input every time', () => {
    const given = ['x', 'x', 'y', 'x2', 'y'];
    assert.deepEqual(uniqueNames(given), uniqueNames([...given]));
  });

  test('returns names that are pairwise distinct', () => {
    const got = uniqueNames(['a', 'a', 'a2', 'a2', 'a3', 'a']);
    assert.equal(new Set(got).size, got.length);
  });
});
