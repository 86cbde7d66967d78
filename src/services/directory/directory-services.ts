/** Builds the directory services (aliases, published room directory, summaries, space hierarchy,
 * reports) and room upgrades from the ports and the room services they build on. */
import type { Clock } from "../../ports/clock.js";
import type { Store } from "../../ports/store.js";
import type { EventCreator } from "../rooms/event-creator.js";
import type { Membership } from "../rooms/membership.js";
import type { RoomVersionCache } from "../rooms/room-version-cache.js";
import { RoomUpgrader } from "../rooms/upgrade-room.js";
import { RoomAliases } from "./aliases.js";
import { ContentReports } from "./content-reports.js";
import { PublicRoomDirectory } from "./public-rooms.js";
import { RoomAccess } from "./room-access.js";
import { RoomDescriber } from "./room-description.js";
import { RoomSummaries } from "./room-summary.js";
import { SpaceHierarchy } from "./space-hierarchy.js";

export interface DirectoryServices {
  aliases: RoomAliases;
  publicRooms: PublicRoomDirectory;
  summaries: RoomSummaries;
  hierarchy: SpaceHierarchy;
  reports: ContentReports;
  upgrades: RoomUpgrader;
}

export function createDirectoryServices(
  store: Store,
  clock: Clock,
  serverName: string,
  rooms: { versions: RoomVersionCache; events: EventCreator; membership: Membership },
): DirectoryServices {
  const describer = new RoomDescriber(store.rooms, rooms.versions);
  const access = new RoomAccess(store.rooms, rooms.versions);
  const aliases = new RoomAliases(
    store.directory,
    store.rooms,
    rooms.versions,
    rooms.events,
    clock,
    serverName,
  );
  return {
    aliases,
    publicRooms: new PublicRoomDirectory(store.directory, store.rooms, rooms.versions, describer, serverName),
    summaries: new RoomSummaries(aliases, access, describer),
    hierarchy: new SpaceHierarchy(store.rooms, access, describer),
    reports: new ContentReports(store.directory, store.rooms, store.users, clock, serverName),
    upgrades: new RoomUpgrader(store.rooms, rooms.versions, rooms.events, rooms.membership, aliases),
  };
}
