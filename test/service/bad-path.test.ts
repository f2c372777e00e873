import { expect } from "chai";
import { pathDecodes, refuseUndecodablePath } from "../../lib/service/bad-path.ts";
import { proxy } from "../../proxy.ts";

describe("service: paths with malformed percent-escapes", function () {
  it("tells decodable paths from undecodable ones", function () {
    expect(pathDecodes("/api/records/bafkrei%61")).to.equal(true);
    for (const bad of ["/api/records/%E0%A4%A", "/api/records/%", "/api/keyshares/%zz", "/api/%C0%80"])
      expect(pathDecodes(bad), bad).to.equal(false);
  });

  it("answers an undecodable /api path with a JSON 400 and leaves every other path alone", async function () {
    const res = refuseUndecodablePath("http://localhost:3000/api/records/%E0%A4%A?patient=0x1&record=1")!;
    expect(res.status).to.equal(400);
    expect(res.headers.get("content-type")).to.match(/application\/json/);
    expect(((await res.json()) as { error: string }).error).to.equal("BAD_PATH");
    expect(refuseUndecodablePath("http://localhost:3000/api/records/bafkrei")).to.equal(undefined);
    // Pages are Next.js's own business.
    expect(refuseUndecodablePath("http://localhost:3000/patient/%E0%A4%A")).to.equal(undefined);
  });

  it("is what the Next.js proxy answers", async function () {
    const { NextRequest } = await import("next/server");
    const res = proxy(new NextRequest("http://localhost:3000/api/keyshares/%E0%A4%A"));
    expect(res.status).to.equal(400);
    const pass = proxy(new NextRequest("http://localhost:3000/api/health"));
    expect(pass.headers.get("x-middleware-next")).to.equal("1");
  });
});
