/**
 * What every Kafka API handler receives: the gateway (the lib context and
 * how this instance advertises itself) and the connection's session (who is
 * calling), and what it returns: the response body, or undefined when Kafka
 * sends none (Produce with acks=0).
 */
import type { Principal } from '../lib/auth/authorize';
import type { PrincipalQuota } from '../lib/auth/quota';
import type { LibContext } from '../lib/context';
import type { KStruct } from './protocol/codec';

export interface Gateway {
  lib: LibContext;
  /** The one broker every instance claims to be: leader of every partition, coordinator of every group. */
  nodeId: number;
  /** Host and port clients are told to connect to (this instance, or the load balancer in front). */
  host: string;
  port: number;
  clusterId: string;
  /** Verifies a SASL PLAIN password (a Samsa API key); undefined when authentication is off. */
  authenticate: ((apiKey: string) => Promise<Principal>) | undefined;
  /** Verifies a SASL OAUTHBEARER token (a JWT, in JWT mode); undefined when OAUTHBEARER is off. */
  verifyToken: ((jwt: string) => Promise<Principal>) | undefined;
  quota: PrincipalQuota | undefined;
}

export interface Session {
  principal: Principal;
  clientId: string | null;
  /** True once SASL succeeded, or from the start when authentication is off. */
  authenticated: boolean;
  /** The mechanism a SaslHandshake chose; SaslAuthenticate needs it. */
  mechanism: string | undefined;
  /** Before SaslAuthenticate existed (handshake v0) the token came as a bare frame. */
  rawSaslNext: boolean;
  /**
   * Classic group members joined through this connection: what JoinGroup
   * decided, for SyncGroup and Heartbeat. Only a cache: a member that shows
   * up on another connection (or instance) is told to rejoin.
   */
  members: Map<string, ClassicMember>;
}

export interface ClassicMember {
  group: string;
  /** The generation the client was given: the Samsa member epoch of its join. */
  generation: number;
  /** The member's Samsa epoch now (moves past `generation` when its assignment changes). */
  epoch: number;
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolName: string;
  assignment: { topic: string; partitions: number[] }[];
}

export interface ApiHandler {
  key: number;
  /** Kafka's name of the API, as in its schema ("Produce"). */
  name: string;
  /** Versions implemented; ApiVersions advertises exactly these. */
  min: number;
  max: number;
  handle(g: Gateway, s: Session, req: KStruct, version: number): Promise<KStruct | undefined>;
}
