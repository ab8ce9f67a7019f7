CREATE INDEX "items_recipient_sender_id" ON "inbox"."items" USING btree ("recipient","sender","id");--> statement-breakpoint
CREATE INDEX "items_recipient_priority_id" ON "inbox"."items" USING btree ("recipient","priority","id");--> statement-breakpoint
CREATE INDEX "items_recipient_withdrawn_id" ON "inbox"."items" USING btree ("recipient","id") WHERE "inbox"."items"."recall_answer" = '15';--> statement-breakpoint
CREATE INDEX "work_files_agency_due_id" ON "inbox"."work_files" USING btree ("agency","due_at","id");