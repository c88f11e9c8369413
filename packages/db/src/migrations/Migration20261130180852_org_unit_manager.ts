import { Migration } from '@mikro-orm/migrations';

/**
 * An org unit's manager: the person its people's work escalates to (the SLA action
 * escalate_to_manager reaches the manager of the handler's unit). Existing units take the person
 * most of their active people report to (app_user.manager_id), when there is one; the rest stay
 * without a manager until an admin names one.
 */
export class Migration20261130180852_org_unit_manager extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "org_unit" add column "manager_id" int null;`);
    this.addSql(
      `alter table "org_unit" add constraint "org_unit_manager_id_fkey" foreign key ("manager_id") references "app_user" ("id") on update no action on delete set null;`,
    );
    this.addSql(`
update org_unit o set manager_id = m.manager_id
  from (select distinct on (u.org_unit_id) u.org_unit_id, u.manager_id
          from app_user u join app_user b on b.id = u.manager_id and b.is_active
         where u.org_unit_id is not null and u.is_active and u.manager_id <> u.id
         group by u.org_unit_id, u.manager_id
         order by u.org_unit_id, count(*) desc, u.manager_id) m
 where m.org_unit_id = o.id;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "org_unit" drop constraint "org_unit_manager_id_fkey";`);
    this.addSql(`alter table "org_unit" drop column "manager_id";`);
  }
}
