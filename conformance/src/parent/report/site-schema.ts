/**
 * The JSON Schema (draft 2020-12) of the site's dataset, "netparity.site/1" (site-data.ts,
 * docs/site.md). `netparity site` writes it beside the dataset as data/site.schema.json.
 * Additive changes keep the schema name (objects allow properties they do not list); a field
 * that changes meaning or disappears makes it netparity.site/2.
 */
import { SITE_SCHEMA } from "./site-data.js";

const counts = {
  type: "object",
  required: ["total", "pass"],
  properties: { total: { type: "integer", minimum: 0 }, pass: { type: "integer", minimum: 0 } },
} as const;

const date = { type: "string", format: "date-time" } as const;

const outcome = {
  type: "object",
  required: ["run", "runtime", "version", "outcome", "explanation"],
  properties: {
    run: { type: "string", minLength: 1 },
    runtime: { type: "string", minLength: 1 },
    version: { type: "string", minLength: 1 },
    outcome: { type: "string", minLength: 1 },
    explanation: { type: "string" },
  },
} as const;

const release = {
  type: "object",
  required: [
    "runtime",
    "version",
    "slug",
    "runs",
    "run",
    "startedAt",
    "probes",
    "differFromNode",
    "nodeVersion",
    "cells",
    "reliability",
  ],
  properties: {
    runtime: { type: "string", minLength: 1 },
    version: { type: "string", minLength: 1 },
    slug: { type: "string", pattern: "^[A-Za-z0-9._-]+$" },
    runs: { type: "array", items: { type: "string" }, minItems: 1 },
    run: { type: "string" },
    startedAt: date,
    probes: { type: "integer", minimum: 0 },
    differFromNode: { type: ["integer", "null"], minimum: 0 },
    nodeVersion: { type: ["string", "null"] },
    cells: counts,
    reliability: counts,
  },
} as const;

export const SITE_JSON_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "netparity.site/1",
  title: "netparity results site dataset",
  type: "object",
  required: ["schema", "generatedAt", "tool", "runs", "standing", "differences", "releases", "probes", "bench"],
  properties: {
    schema: { const: SITE_SCHEMA },
    generatedAt: date,
    tool: {
      type: "object",
      required: ["name", "version"],
      properties: { name: { const: "netparity" }, version: { type: "string" } },
    },
    runs: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "startedAt", "generatedAt", "source", "machine", "runtimes", "cells", "probes", "reliability"],
        properties: {
          id: { type: "string", pattern: "^[A-Za-z0-9._-]+$" },
          startedAt: date,
          generatedAt: date,
          source: { type: "string" },
          machine: { type: "string" },
          runtimes: {
            type: "array",
            minItems: 1,
            items: {
              type: "object",
              required: ["name", "version"],
              properties: { name: { type: "string" }, version: { type: "string" } },
            },
          },
          cells: counts,
          probes: { type: "integer", minimum: 0 },
          reliability: counts,
        },
      },
    },
    standing: { type: "array", items: release },
    differences: {
      type: "array",
      items: {
        type: "object",
        required: ["probe", "title", "outcomes"],
        properties: {
          probe: { type: "string" },
          title: { type: "string" },
          outcomes: { type: "array", minItems: 2, items: outcome },
        },
      },
    },
    releases: { type: "array", items: release },
    probes: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "title", "differs", "results"],
        properties: {
          id: { type: "string", minLength: 1 },
          title: { type: "string" },
          differs: { type: "boolean" },
          results: { type: "array", items: outcome },
        },
      },
    },
    bench: {
      type: "array",
      items: {
        type: "object",
        required: ["run", "startedAt", "workload", "role", "unit", "higherIsBetter", "rows"],
        properties: {
          run: { type: "string" },
          startedAt: date,
          workload: { type: "string" },
          role: { type: "string" },
          unit: { type: "string" },
          higherIsBetter: { type: "boolean" },
          rows: {
            type: "array",
            items: {
              type: "object",
              required: ["rank", "runtime", "version", "median", "ratioToBest", "standing"],
              properties: {
                rank: { type: "integer", minimum: 1 },
                runtime: { type: "string" },
                version: { type: ["string", "null"] },
                median: { type: "number" },
                ratioToBest: { type: ["number", "null"] },
                standing: { enum: ["best", "tie", "behind"] },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** The shields.io "endpoint" badge of one runtime release (https://shields.io/badges/endpoint-badge). */
export interface EndpointBadge {
  schemaVersion: 1;
  label: string;
  message: string;
  color: string;
}
