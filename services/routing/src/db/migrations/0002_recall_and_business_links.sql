ALTER TABLE "routing"."deliveries" ADD COLUMN "recall_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "routing"."deliveries" ADD COLUMN "recall_note" text;--> statement-breakpoint
ALTER TABLE "routing"."deliveries" ADD COLUMN "recall_published_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "routing"."documents" ADD COLUMN "business_type" integer GENERATED ALWAYS AS (("fields"->'business'->>'type')::integer) STORED;--> statement-breakpoint
ALTER TABLE "routing"."documents" ADD COLUMN "original_id" text GENERATED ALWAYS AS (("fields"->'business'->>'original')) STORED;--> statement-breakpoint
CREATE INDEX "deliveries_recalls_unpublished" ON "routing"."deliveries" USING btree ("recall_requested_at") WHERE "routing"."deliveries"."recall_requested_at" is not null and "routing"."deliveries"."recall_published_at" is null;--> statement-breakpoint
CREATE INDEX "documents_original" ON "routing"."documents" USING btree ("original_id") WHERE "routing"."documents"."original_id" is not null;