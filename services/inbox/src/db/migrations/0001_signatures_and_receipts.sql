ALTER TABLE "inbox"."items" ADD COLUMN "envelope" jsonb;--> statement-breakpoint
ALTER TABLE "inbox"."items" ADD COLUMN "signatures" jsonb;--> statement-breakpoint
ALTER TABLE "inbox"."items" ADD COLUMN "envelope_digest" text;--> statement-breakpoint
ALTER TABLE "inbox"."items" ADD COLUMN "signatures_valid" boolean;--> statement-breakpoint
ALTER TABLE "inbox"."items" ADD COLUMN "signature_findings" jsonb;--> statement-breakpoint
ALTER TABLE "inbox"."steps" ADD COLUMN "receipt" jsonb;--> statement-breakpoint
ALTER TABLE "inbox"."steps" ADD COLUMN "signature" text;--> statement-breakpoint
ALTER TABLE "inbox"."steps" ADD COLUMN "awaiting_signature" boolean DEFAULT false NOT NULL;