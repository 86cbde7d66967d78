/** Path parameters shared by the room endpoints, validated once. */
import { isValidRoomId, isValidUserId } from "../../protocol/identifiers.js";
import { MatrixError } from "../../services/errors.js";
import type { Ctx } from "../env.js";

/** The `{roomId}` path parameter; a malformed one is 400 M_INVALID_PARAM. */
export function roomIdParam(c: Ctx): string {
  const roomId = c.req.param("roomId") ?? "";
  if (!isValidRoomId(roomId)) {
    throw new MatrixError(400, "M_INVALID_PARAM", `Invalid room ID ${roomId}`);
  }
  return roomId;
}

export function userIdBody(value: unknown): string {
  if (typeof value !== "string" || !isValidUserId(value)) {
    throw new MatrixError(400, "M_BAD_JSON", "Invalid user_id");
  }
  return value;
}
