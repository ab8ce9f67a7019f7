CREATE SCHEMA IF NOT EXISTS "registry";
--> statement-breakpoint
CREATE TABLE "registry"."agencies" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_search" text NOT NULL,
	"level" text NOT NULL,
	"kind" text NOT NULL,
	"parent" text,
	"path" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"status_since" timestamp with time zone DEFAULT now() NOT NULL,
	"suspended_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"webhook_url" text,
	"mail_address" text,
	"version" integer DEFAULT 1 NOT NULL,
	"published_version" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry"."agency_keys" (
	"agency_code" text NOT NULL,
	"kid" text NOT NULL,
	"alg" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"certificate_pem" text,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agency_keys_agency_code_kid_pk" PRIMARY KEY("agency_code","kid")
);
--> statement-breakpoint
CREATE TABLE "registry"."api_clients" (
	"client_id" text PRIMARY KEY NOT NULL,
	"agency_code" text,
	"secret_hash" text NOT NULL,
	"scopes" text NOT NULL,
	"under" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "registry"."token_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"alg" text NOT NULL,
	"private_key_pem" text NOT NULL,
	"public_key_pem" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "agencies_unpublished_idx" ON "registry"."agencies" USING btree ("code") WHERE "registry"."agencies"."published_version" is distinct from "registry"."agencies"."version";--> statement-breakpoint
CREATE INDEX "agencies_parent_idx" ON "registry"."agencies" USING btree ("parent");--> statement-breakpoint
CREATE INDEX "agencies_level_idx" ON "registry"."agencies" USING btree ("level");--> statement-breakpoint
CREATE INDEX "agencies_path_idx" ON "registry"."agencies" USING btree ("path" text_pattern_ops);