// A typed scenario through the TypeScript client that openapi-typescript and
// openapi-fetch make of openapi/openapi.json (scripts/contract compiles it with
// `tsc --strict` and runs it against a service with the demo data). No casts:
// every request and answer is typed by the document.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Problem = components["schemas"]["Problem"];

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

function expect(condition: boolean, what: string): void {
  if (!condition) {
    console.error(`typescript client: FAILED: ${what}`);
    process.exit(1);
  }
}

function must<T>(data: T | undefined, error: Problem | undefined | unknown, what: string): T {
  if (data === undefined) {
    console.error(`typescript client: FAILED: ${what}: ${JSON.stringify(error)}`);
    process.exit(1);
  }
  return data;
}

function pesel(birth: string, serial: string): string {
  const digits = birth + serial;
  const weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(digits[i]) * (weights[i] ?? 0);
  return digits + String((10 - (sum % 10)) % 10);
}

const baseUrl = env("BASE_URL");
// Answers as JSON (problems as problem+json): lists are also offered as CSV (and
// some as GeoJSON), which the client would otherwise type as a union of all.
type Json = "application/json" | "application/problem+json";
const anonymous = createClient<paths, Json>({ baseUrl });

async function signedIn(email: string, password: string) {
  const { data, error } = await anonymous.POST("/api/v1/auth/token", { body: { email, password } });
  const tokens = must(data, error, `sign in as ${email}`);
  const bearer: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${tokens.access_token}`);
      return request;
    },
  };
  const client = createClient<paths, Json>({ baseUrl });
  client.use(bearer);
  return client;
}

const admin = await signedIn(env("ADMIN_EMAIL"), env("ADMIN_PASSWORD"));

// A filtered, sorted list walked to its end by cursor.
const seen: components["schemas"]["View_Project"][] = [];
let cursor: string | undefined;
let total = -1;
for (;;) {
  const { data, error } = await anonymous.GET("/api/v1/projects", {
    params: { query: { voivodeship: "04", sort: "title", limit: 2, cursor } },
  });
  const page = must(data, error, "list projects");
  seen.push(...page.items);
  total = page.total;
  if (!page.next_cursor) break;
  cursor = page.next_cursor;
}
const titles = seen.map((p) => p.title);
expect(seen.length === total && seen.length >= 2, `the walk saw ${seen.length} of ${total}`);
expect(titles.every((t, i) => i === 0 || (titles[i - 1] ?? "") <= t), `sorted by title: ${titles.join(" | ")}`);
expect(seen.every((p) => p.voivodeship === "04"), "filtered to voivodeship 04");
console.log(`typescript client: walked ${seen.length} projects of voivodeship 04 by cursor, 2 a page, in title order`);

const first = seen[0];
if (first === undefined) throw new Error("no project");
const read = await anonymous.GET("/api/v1/projects/{id}", { params: { path: { id: first.id } } });
expect(must(read.data, read.error, "read a project").title === first.title, "read the project listed");

// The create chain, typed from end to end.
const tag = Math.random().toString(16).slice(2, 10);
const created = <T extends { id: number }>(data: T | undefined, error: unknown, what: string): T => {
  const record = must(data, error, `create ${what}`);
  console.log(`typescript client: created ${what} ${record.id}`);
  return record;
};
let r;
r = await admin.POST("/api/v1/programmes", { body: { code: `TS.${tag}`, name: "Program klienta TypeScript", period: "2021-2027", voivodeship: "04" } });
const programme = created(r.data, r.error, "programme");
const a = await admin.POST("/api/v1/priority-axes", { body: { programme_id: programme.id, number: "I", name: "Oś klienta" } });
const axis = created(a.data, a.error, "priority axis");
const m = await admin.POST("/api/v1/measures", { body: { priority_axis_id: axis.id, code: "1.1", name: "Działanie klienta" } });
const measure = created(m.data, m.error, "measure");
const p = await admin.POST("/api/v1/projects", {
  body: { title: `Projekt klienta TypeScript ${tag}`, measure_id: measure.id, voivodeship: "04", objective: "Cel", notes: "do usunięcia" },
});
const project = created(p.data, p.error, "project");
const o = await admin.POST("/api/v1/beneficiaries", { body: { name: `Spółdzielnia Socjalna TS ${tag}`, kind: "pes", voivodeship: "04" } });
const organisation = created(o.data, o.error, "organisation");
const pa = await admin.POST("/api/v1/partners", { body: { project_id: project.id, beneficiary_id: organisation.id, role: "partner" } });
created(pa.data, pa.error, "partner");
const i = await admin.POST("/api/v1/indicators", {
  body: { project_id: project.id, name: "Liczba osób objętych wsparciem", kind: "output", target_value: "12" },
});
created(i.data, i.error, "indicator");

// A merge patch: one field changed, one cleared, the rest kept.
const patch = await admin.PATCH("/api/v1/projects/{id}", {
  params: { path: { id: project.id } },
  body: { objective: "Cel zmieniony łatką", notes: null },
  headers: { "Content-Type": "application/merge-patch+json" },
});
const patched = must(patch.data, patch.error, "merge patch");
expect(patched.objective === "Cel zmieniony łatką" && !patched.notes && patched.title === project.title, "the patch changed the objective, cleared the notes, kept the title");
console.log("typescript client: merge patch changed objective, cleared notes, kept title");

// Participants as the region's ROPS: personal data, masked in answers.
const rops = await signedIn(env("ROPS_EMAIL"), env("ROPS_PASSWORD"));
const pp = await rops.POST("/api/v1/participants", {
  body: { project_id: project.id, first_name: "Jan", last_name: "Kowalski", pesel: pesel("850202", "5671"), sex: "male" },
});
const person = created(pp.data, pp.error, "participant as rops");
expect(typeof person.pesel === "string" && person.pesel.startsWith("*"), `PESEL masked: ${person.pesel}`);
const listed = await rops.GET("/api/v1/participants", { params: { query: { project_id: project.id } } });
expect(must(listed.data, listed.error, "participants as rops").total === 1, "one participant in the project");
const hidden = await anonymous.GET("/api/v1/participants", { params: { query: { project_id: project.id } } });
expect(hidden.error !== undefined && hidden.response.status === 401, "participants are not anonymous");

// Typed problems.
const missing = await anonymous.GET("/api/v1/projects/{id}", { params: { path: { id: 2_000_000_000 } } });
const notFound: Problem | undefined = missing.error;
expect(notFound?.status === 404 && typeof notFound.code === "string", `missing project: ${JSON.stringify(notFound)}`);
const bad = await admin.POST("/api/v1/programmes", { body: { code: `TS2.${tag}`, name: "Zły", period: "2021-2027", voivodeship: "99" } });
const invalid: Problem | undefined = bad.error;
expect(invalid?.status === 422 && (invalid.errors ?? []).length > 0, `invalid programme: ${JSON.stringify(invalid)}`);
console.log(`typescript client: problems typed: 404 ${notFound?.code}; 422 ${invalid?.code} on ${(invalid?.errors ?? []).map((e) => e.field).join(", ")}`);
console.log("typescript client: scenario passed");
