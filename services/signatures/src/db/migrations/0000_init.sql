CREATE SCHEMA IF NOT EXISTS "signatures";
--> statement-breakpoint
CREATE TABLE "signatures"."custody_keys" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agency" text NOT NULL,
	"role" text NOT NULL,
	"kid" text NOT NULL,
	"alg" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"master_key_id" text NOT NULL,
	"iv" "bytea" NOT NULL,
	"auth_tag" "bytea" NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "custody_keys_role" CHECK ("signatures"."custody_keys"."role" in ('agency', 'signer'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "custody_keys_agency_kid" ON "signatures"."custody_keys" USING btree ("agency","kid");--> statement-breakpoint
CREATE UNIQUE INDEX "custody_keys_live_role" ON "signatures"."custody_keys" USING btree ("agency","role") WHERE "signatures"."custody_keys"."retired_at" is null;--> statement-breakpoint
CREATE INDEX "custody_keys_master_key" ON "signatures"."custody_keys" USING btree ("master_key_id");