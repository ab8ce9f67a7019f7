ALTER TABLE "routing"."delivery_statuses" ADD COLUMN "receipt" jsonb;--> statement-breakpoint
ALTER TABLE "routing"."delivery_statuses" ADD COLUMN "signature" text;--> statement-breakpoint
ALTER TABLE "routing"."documents" ADD COLUMN "envelope" jsonb;--> statement-breakpoint
ALTER TABLE "routing"."documents" ADD COLUMN "signatures" jsonb;--> statement-breakpoint
ALTER TABLE "routing"."documents" ADD COLUMN "envelope_digest" text;--> statement-breakpoint
ALTER TABLE "routing"."documents" ADD COLUMN "signed_by" text;