import { graphql } from '../../../graphql/graphql.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';

const CONTENT_FIELDS = `
  name
  description
  categoryPath
  defaultPriority
  numberPattern
  workflowKey
  formSchema
  uiSchema
`;

export const BuilderQuery = graphql(`
  query FormBuilder($key: String!) {
    template(key: $key) {
      id
      key
      name
      latestVersion
      isArchived
      updatedAt
      nextSequence
      draft { ${CONTENT_FIELDS} }
      versions {
        id
        version
        publishedAt
        publishedBy { name }
        content { ${CONTENT_FIELDS} }
      }
    }
    workflows { key name latestVersion }
    templates(includeArchived: true) { key draft { categoryPath } }
  }
`);

export const SaveDraftMutation = graphql(`
  mutation SaveTemplateDraft($id: ID!, $content: TemplateContentInput!, $expectedUpdatedAt: DateTime) {
    updateTemplateDraft(id: $id, content: $content, expectedUpdatedAt: $expectedUpdatedAt) {
      __typename
      ... on TicketTemplate { updatedAt }
      ... on ValidationError { message fields { path code message } }
      ... on Error { message }
    }
  }
`);

export const PublishMutation = graphql(`
  mutation PublishTemplate($id: ID!) {
    publishTemplate(id: $id) {
      __typename
      ... on TemplateVersion { version }
      ... on ValidationError { message fields { path code message } }
      ... on Error { message }
    }
  }
`);

export const RevertMutation = graphql(`
  mutation RevertTemplate($id: ID!, $version: Int!) {
    revertTemplate(id: $id, version: $version) {
      __typename
      ... on TemplateVersion { version }
      ... on Error { message }
    }
  }
`);

export const CreateTemplateMutation = graphql(
  `mutation CreateTemplate($key: String!, $content: TemplateContentInput!) {
    createTemplate(key: $key, content: $content) { __typename ... on TicketTemplate { key } ...Refusal }
  }`,
  [RefusalFragment],
);
