import { Templates } from '@rjsf/antd';
import { ADDITIONAL_PROPERTY_FLAG, type FieldTemplateProps } from '@rjsf/utils';
import { theme } from 'antd';

const AntdFieldTemplate = Templates.FieldTemplate!;

/**
 * A field as the antd theme draws it, except an object (the form itself, a group of fields): that
 * one is a plain block with its description and messages below it, not an antd Form.Item. A
 * Form.Item hands a new context value to the Form.Items inside it on each of its renders, so the
 * form's own Form.Item drew every field of a long form again on each change of any one of them.
 */
export function FieldTemplate(props: FieldTemplateProps) {
  const { token } = theme.useToken();
  const { schema, hidden, classNames, style, children, description, rawDescription } = props;
  if (schema.type !== 'object' || hidden || ADDITIONAL_PROPERTY_FLAG in schema)
    return <AntdFieldTemplate {...props} />;
  return (
    <div className={classNames} style={{ marginBottom: token.marginLG, ...style }}>
      {children}
      {rawDescription ? <div style={{ color: token.colorTextDescription }}>{description}</div> : null}
      {props.rawErrors?.length ? <div style={{ color: token.colorError }}>{props.errors}</div> : null}
      {props.rawHelp ? <div style={{ color: token.colorTextDescription }}>{props.help}</div> : null}
    </div>
  );
}
