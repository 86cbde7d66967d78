import { describe, expect, it } from "vitest";
import { EMPTY_SHA256, signRequest } from "./sigv4.js";

describe("SigV4", () => {
  // The "GET Object" example of the S3 API reference (sig-v4-header-based-auth.html).
  it("reproduces the AWS documentation's GET Object signature", async () => {
    const headers = await signRequest(
      "GET",
      new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      { range: "bytes=0-9" },
      EMPTY_SHA256,
      {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1",
      },
      new Date(Date.UTC(2013, 4, 24, 0, 0, 0)),
    );
    expect(headers.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });
});
