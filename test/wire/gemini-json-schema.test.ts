import { describe, expect, it } from "bun:test";
import { fromGeminiSchema, toGeminiSchema } from "../../src/wire/json-schema.ts";

describe("toGeminiSchema", () => {
  it("upper-cases types and keeps the fields Gemini's Schema has", () => {
    expect(
      toGeminiSchema({
        type: "object",
        title: "Weather",
        description: "Weather query",
        properties: {
          city: { type: "string", minLength: 1, maxLength: 80, pattern: "^[A-Z]", example: "Paris" },
          days: { type: "integer", minimum: 1, maximum: 14, default: 3 },
          units: { type: "string", enum: ["metric", "imperial"] },
          tags: { type: "array", items: { type: "string" }, minItems: 0, maxItems: 5 },
        },
        required: ["city"],
        minProperties: 1,
        propertyOrdering: ["city", "days"],
      }),
    ).toEqual({
      type: "OBJECT",
      title: "Weather",
      description: "Weather query",
      minProperties: 1,
      propertyOrdering: ["city", "days"],
      properties: {
        city: { type: "STRING", pattern: "^[A-Z]", minLength: 1, maxLength: 80, example: "Paris" },
        days: { type: "INTEGER", minimum: 1, maximum: 14, default: 3 },
        units: { type: "STRING", enum: ["metric", "imperial"] },
        tags: { type: "ARRAY", minItems: 0, maxItems: 5, items: { type: "STRING" } },
      },
      required: ["city"],
    });
  });

  it("drops keywords Gemini rejects", () => {
    expect(
      toGeminiSchema({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: "urn:x",
        $comment: "c",
        type: "object",
        properties: {
          n: { type: "number", exclusiveMinimum: 0, multipleOf: 0.5 },
          s: { type: "string", contentEncoding: "base64", readOnly: true },
          list: { type: "array", items: { type: "integer" }, uniqueItems: true, contains: { const: 1 } },
        },
        additionalProperties: false,
        patternProperties: { "^x-": { type: "string" } },
        unevaluatedProperties: false,
        not: { required: ["z"] },
        dependentRequired: {},
        // Written as JSON: a literal `then` key reads as a thenable to linters.
        ...JSON.parse('{"if":{"properties":{}},"then":{},"else":{}}'),
      }),
    ).toEqual({
      type: "OBJECT",
      properties: {
        n: { type: "NUMBER" },
        s: { type: "STRING" },
        list: { type: "ARRAY", items: { type: "INTEGER" } },
      },
    });
  });

  it("keeps only the formats Gemini supports for the type", () => {
    const schema = toGeminiSchema({
      type: "object",
      properties: {
        when: { type: "string", format: "date-time" },
        id: { type: "string", format: "uuid" },
        mail: { type: "string", format: "email" },
        ratio: { type: "number", format: "double" },
        count: { type: "integer", format: "int64" },
        wrong: { type: "integer", format: "float" },
      },
    });
    expect(schema.properties).toEqual({
      when: { type: "STRING", format: "date-time" },
      id: { type: "STRING" },
      mail: { type: "STRING" },
      ratio: { type: "NUMBER", format: "double" },
      count: { type: "INTEGER", format: "int64" },
      wrong: { type: "INTEGER" },
    });
  });

  it('reads "null" in a type list and null branches of anyOf as nullable', () => {
    const schema = toGeminiSchema({
      type: "object",
      properties: {
        a: { type: ["string", "null"] },
        b: {
          anyOf: [{ type: "array", items: { type: "string" } }, { type: "null" }],
          description: "maybe a list",
        },
        c: { oneOf: [{ type: "null" }, { $ref: "#/$defs/point" }] },
        d: { type: ["string", "integer"] },
        e: { anyOf: [{ type: "string" }, { type: "number" }, { type: "null" }] },
      },
      $defs: { point: { type: "object", properties: { x: { type: "number" } } } },
    });
    expect(schema.properties).toEqual({
      a: { type: "STRING", nullable: true },
      b: { type: "ARRAY", items: { type: "STRING" }, description: "maybe a list", nullable: true },
      c: { type: "OBJECT", properties: { x: { type: "NUMBER" } }, nullable: true },
      d: { anyOf: [{ type: "STRING" }, { type: "INTEGER" }] },
      e: { anyOf: [{ type: "STRING" }, { type: "NUMBER" }], nullable: true },
    });
  });

  it("keeps a schema's own type and drops anyOf branches that only add constraints to it", () => {
    expect(
      toGeminiSchema({
        type: "object",
        properties: { email: { type: "string" }, phone: { type: "string" } },
        anyOf: [{ required: ["email"] }, { required: ["phone"] }, { type: "null" }],
      }),
    ).toEqual({
      type: "OBJECT",
      properties: { email: { type: "STRING" }, phone: { type: "STRING" } },
      nullable: true,
    });
  });

  it("inlines $ref into $defs and definitions, letting the referring schema's description win", () => {
    const schema = toGeminiSchema({
      type: "object",
      properties: {
        home: { $ref: "#/$defs/address", description: "Home address" },
        work: { $ref: "#/definitions/address" },
        missing: { $ref: "#/$defs/nowhere", description: "dangling" },
        remote: { $ref: "https://example.com/schema.json" },
      },
      $defs: {
        address: { type: "object", description: "An address", properties: { street: { type: "string" } } },
      },
      definitions: {
        address: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    });
    expect(schema).toEqual({
      type: "OBJECT",
      properties: {
        home: { type: "OBJECT", description: "Home address", properties: { street: { type: "STRING" } } },
        work: { type: "OBJECT", properties: { city: { type: "STRING" } }, required: ["city"] },
        missing: { description: "dangling" },
        remote: {},
      },
    });
  });

  it("cuts a recursive $ref off at its second appearance", () => {
    const schema = toGeminiSchema({
      $ref: "#/$defs/node",
      $defs: {
        node: {
          type: "object",
          description: "A tree node",
          properties: {
            value: { type: "string" },
            children: { type: "array", items: { $ref: "#/$defs/node" } },
          },
        },
      },
    });
    expect(schema).toEqual({
      type: "OBJECT",
      description: "A tree node",
      properties: {
        value: { type: "STRING" },
        children: { type: "ARRAY", items: { type: "OBJECT", description: "A tree node" } },
      },
    });
  });

  it("merges allOf into one schema", () => {
    expect(
      toGeminiSchema({
        allOf: [
          { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
          { properties: { b: { type: "boolean" } }, required: ["b"] },
        ],
        description: "both",
      }),
    ).toEqual({
      type: "OBJECT",
      description: "both",
      properties: { a: { type: "STRING" }, b: { type: "BOOLEAN" } },
      required: ["a", "b"],
    });
  });

  it("turns const into a one-value enum, and non-string enums into a description", () => {
    const schema = toGeminiSchema({
      type: "object",
      properties: {
        kind: { type: "string", const: "circle" },
        level: { type: "integer", enum: [1, 2, 3], description: "Level" },
        mode: { enum: ["on", "off", null] },
      },
    });
    expect(schema.properties).toEqual({
      kind: { type: "STRING", enum: ["circle"] },
      level: { type: "INTEGER", description: "Level\nAllowed values: 1, 2, 3" },
      mode: { enum: ["on", "off"], nullable: true },
    });
  });

  it("only requires properties that exist, and reads tuples as items of any of their types", () => {
    expect(
      toGeminiSchema({
        type: "object",
        properties: {
          pair: { type: "array", prefixItems: [{ type: "string" }, { type: "number" }] },
          one: { type: "array", items: [{ type: "string" }] },
        },
        required: ["pair", "ghost"],
      }),
    ).toEqual({
      type: "OBJECT",
      properties: {
        pair: { type: "ARRAY", items: { anyOf: [{ type: "STRING" }, { type: "NUMBER" }] } },
        one: { type: "ARRAY", items: { type: "STRING" } },
      },
      required: ["pair"],
    });
  });

  it("takes the first of examples as the example", () => {
    expect(toGeminiSchema({ type: "string", examples: ["a", "b"] })).toEqual({
      type: "STRING",
      example: "a",
    });
  });

  it("never throws on hostile input, and stops at a depth limit", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 200; i++) deep = { type: "array", items: deep };
    expect(() => toGeminiSchema(deep)).not.toThrow();
    expect(
      toGeminiSchema({ type: 42, properties: "nope", required: "x", anyOf: "y", items: 7 } as Record<
        string,
        unknown
      >),
    ).toEqual({});
    expect(toGeminiSchema({ $ref: "#/a/~1b~0c", a: { "/b~c": { type: "boolean" } } })).toEqual({
      type: "BOOLEAN",
    });
  });

  it("does not change its input", () => {
    const input = {
      type: "object",
      properties: { a: { $ref: "#/$defs/x" } },
      $defs: { x: { type: ["string", "null"] } },
    };
    const copy = structuredClone(input);
    toGeminiSchema(input);
    expect(input).toEqual(copy);
  });
});

describe("fromGeminiSchema", () => {
  it("lower-cases types, reads nullable as a null type and int64 strings as numbers", () => {
    expect(
      fromGeminiSchema({
        type: "OBJECT",
        properties: {
          name: { type: "STRING", nullable: true, maxLength: "20" },
          kind: { type: "STRING", format: "enum", enum: ["a", "b"] },
          tags: { type: "ARRAY", items: { type: "STRING" }, minItems: "1", maxItems: "5" },
          either: { anyOf: [{ type: "INTEGER" }, { type: "BOOLEAN" }], nullable: true },
          when: { type: "STRING", format: "date-time", example: "2025-01-01T00:00:00Z" },
        },
        required: ["name"],
        propertyOrdering: ["name", "kind"],
      }),
    ).toEqual({
      type: "object",
      properties: {
        name: { type: ["string", "null"], maxLength: 20 },
        kind: { type: "string", enum: ["a", "b"] },
        tags: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 5 },
        either: { anyOf: [{ type: "integer" }, { type: "boolean" }, { type: "null" }] },
        when: { type: "string", format: "date-time", examples: ["2025-01-01T00:00:00Z"] },
      },
      required: ["name"],
    });
  });

  it("gives back a cleaned schema's meaning", () => {
    const original = {
      type: "object",
      properties: { city: { type: "string" }, days: { type: ["integer", "null"], minimum: 1 } },
      required: ["city"],
    };
    expect(fromGeminiSchema(toGeminiSchema(original))).toEqual(original);
  });
});
