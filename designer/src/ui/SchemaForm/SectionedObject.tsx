import { Templates } from '@rjsf/antd';
import type { ObjectFieldTemplateProps } from '@rjsf/utils';
import { Divider } from 'antd';

const AntdObjectFieldTemplate = Templates.ObjectFieldTemplate!;

type Section = { key: string; title: string };

function sectionsOf(uiSchema: unknown): Section[] {
  const options = (uiSchema as { 'ui:options'?: { sections?: unknown } } | undefined)?.['ui:options'];
  if (!Array.isArray(options?.sections)) return [];
  return options.sections.filter(
    (s): s is Section => typeof s === 'object' && s !== null && typeof (s as Section).key === 'string',
  );
}

/**
 * The form's top level in sections when its uiSchema lists them (`ui:options.sections`, each
 * field naming its own in `ui:options.section`): fields outside any section first, then each
 * section under its title. Any other object renders as the antd theme does.
 */
export function SectionedObject(props: ObjectFieldTemplateProps) {
  const sections =
    props.fieldPathId.$id === props.registry.globalFormOptions.idPrefix ? sectionsOf(props.uiSchema) : [];
  if (sections.length === 0) return <AntdObjectFieldTemplate {...props} />;
  const sectionOf = (name: string) => {
    const ui = props.uiSchema?.[name] as { 'ui:options'?: { section?: unknown } } | undefined;
    const key = ui?.['ui:options']?.section;
    return typeof key === 'string' && sections.some((s) => s.key === key) ? key : undefined;
  };
  const loose = props.properties.filter((p) => !sectionOf(p.name));
  return (
    <div className="docket-form-sections">
      {loose.map((p) => (
        <div key={p.name} hidden={p.hidden}>
          {p.content}
        </div>
      ))}
      {sections.map((s) => {
        const inside = props.properties.filter((p) => sectionOf(p.name) === s.key);
        return (
          <section key={s.key} aria-label={s.title} data-section={s.key}>
            <Divider titlePlacement="start">{s.title}</Divider>
            {inside.map((p) => (
              <div key={p.name} hidden={p.hidden}>
                {p.content}
              </div>
            ))}
          </section>
        );
      })}
      {props.optionalDataControl}
    </div>
  );
}
