CREATE SCHEMA IF NOT EXISTS "routing";
--> statement-breakpoint
CREATE TABLE "routing"."deliveries" (
	"document_id" text NOT NULL,
	"recipient" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"status_at" timestamp with time zone,
	CONSTRAINT "deliveries_document_id_recipient_pk" PRIMARY KEY("document_id","recipient")
);
--> statement-breakpoint
CREATE TABLE "routing"."delivery_statuses" (
	"document_id" text NOT NULL,
	"recipient" text NOT NULL,
	"code" text NOT NULL,
	"channel" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"note" text,
	CONSTRAINT "delivery_statuses_document_id_recipient_code_pk" PRIMARY KEY("document_id","recipient","code")
);
--> statement-breakpoint
CREATE TABLE "routing"."documents" (
	"id" text PRIMARY KEY NOT NULL,
	"sender" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_digest" text NOT NULL,
	"priority" integer NOT NULL,
	"issued_year" integer NOT NULL,
	"number" text NOT NULL,
	"notation" text NOT NULL,
	"fields" jsonb NOT NULL,
	"recipients" text[] NOT NULL,
	"accepted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "documents_sender_idempotency_key" ON "routing"."documents" USING btree ("sender","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_sender_year_number" ON "routing"."documents" USING btree ("sender","issued_year","number","notation");--> statement-breakpoint
CREATE INDEX "documents_unpublished" ON "routing"."documents" USING btree ("accepted_at") WHERE "routing"."documents"."published_at" is null;