CREATE SCHEMA IF NOT EXISTS "inbox";
--> statement-breakpoint
CREATE TABLE "inbox"."items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"document_id" text NOT NULL,
	"recipient" text NOT NULL,
	"sender" text NOT NULL,
	"subject" text NOT NULL,
	"priority" integer NOT NULL,
	"fields" jsonb NOT NULL,
	"recipients" text[] NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"state" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox"."steps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" uuid NOT NULL,
	"code" text NOT NULL,
	"channel" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"note" text,
	"official" jsonb,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "items_document_recipient" ON "inbox"."items" USING btree ("document_id","recipient");--> statement-breakpoint
CREATE INDEX "items_recipient_id" ON "inbox"."items" USING btree ("recipient","id");--> statement-breakpoint
CREATE UNIQUE INDEX "steps_item_code" ON "inbox"."steps" USING btree ("item_id","code");--> statement-breakpoint
CREATE INDEX "steps_unpublished" ON "inbox"."steps" USING btree ("at") WHERE "inbox"."steps"."published_at" is null;