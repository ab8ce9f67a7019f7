ALTER TABLE "registry"."agency_keys" ADD COLUMN "role" text DEFAULT 'agency' NOT NULL;--> statement-breakpoint
ALTER TABLE "registry"."agency_keys" ADD COLUMN "holder" text;--> statement-breakpoint
ALTER TABLE "registry"."agency_keys" ADD CONSTRAINT "agency_keys_role_check" CHECK (role in ('agency', 'signer'));--> statement-breakpoint
ALTER TABLE "registry"."agency_keys" ADD CONSTRAINT "agency_keys_holder_check" CHECK (holder is null or role = 'signer');