import { graphql } from '../../../graphql/graphql.ts';

/** The GraphQL the workflow designer reads and writes, beside the code that uses it. */

export const NodeTypeFields = graphql(`
  fragment NodeTypeFields on NodeType {
    type
    version
    title
    description
    category
    configSchema
    defaultConfig
    hasInput
    outputs {
      id
      label
      isRequired
      allowsMany
    }
    dynamicOutputs {
      pointer
      idProperty
      labelProperty
      isRequired
    }
    isWaiting
    outputSchema
    outputConfigPointer
    source
  }
`);

export const ProblemFields = graphql(`
  fragment ProblemFields on WorkflowProblem {
    path
    code
    message
    nodeId
  }
`);

export const VersionFields = graphql(`
  fragment VersionFields on WorkflowVersion {
    id
    version
    publishedAt
    publishedBy {
      name
    }
  }
`);

export const DesignerQuery = graphql(
  `
    query WorkflowDesigner($key: String!) {
      workflow(key: $key) {
        id
        key
        name
        latestVersion
        updatedAt
        draft {
          json
        }
        draftProblems {
          ...ProblemFields
        }
        versions {
          ...VersionFields
        }
      }
      workflowNodeTypes {
        ...NodeTypeFields
      }
    }
  `,
  [ProblemFields, VersionFields, NodeTypeFields],
);

export const PickersQuery = graphql(`
  query DesignerPickers {
    users {
      id
      name
      email
      isActive
    }
    teams {
      id
      name
      members {
        skills
        user {
          name
        }
      }
    }
    roles {
      id
      key
      name
      names {
        locale
        text
      }
    }
    orgUnits {
      id
      name
      path
    }
    businessCalendars {
      id
      key
      name
    }
    ticketStatuses {
      id
      name
      category
    }
    notificationTargets {
      key
      title
      titles {
        locale
        text
      }
    }
  }
`);

export const TemplateFormsQuery = graphql(`
  query DesignerTemplateForms {
    templates {
      key
      name
      draft {
        workflowKey
        formSchema
      }
    }
  }
`);

export const SaveDraftMutation = graphql(
  `
    mutation SaveWorkflowDraft($id: ID!, $graph: JSON!, $expectedUpdatedAt: DateTime) {
      updateWorkflowDraft(id: $id, graph: $graph, expectedUpdatedAt: $expectedUpdatedAt) {
        __typename
        ... on Workflow {
          updatedAt
          draftProblems {
            ...ProblemFields
          }
        }
        ... on ValidationError {
          message
          fields {
            path
            code
            message
          }
        }
        ... on Error {
          message
        }
      }
    }
  `,
  [ProblemFields],
);

export const PublishMutation = graphql(
  `
    mutation PublishWorkflow($id: ID!) {
      publishWorkflow(id: $id) {
        __typename
        ... on WorkflowVersion {
          ...VersionFields
        }
        ... on ValidationError {
          message
          fields {
            path
            code
            message
          }
        }
        ... on Error {
          message
        }
      }
    }
  `,
  [VersionFields],
);

export const VersionGraphQuery = graphql(`
  query WorkflowVersionGraph($key: String!) {
    workflow(key: $key) {
      id
      versions {
        id
        version
        graph {
          json
        }
      }
    }
  }
`);

export const RunningInstancesQuery = graphql(`
  query WorkflowRunningInstances($key: String!) {
    workflow(key: $key) {
      id
      versions {
        id
        version
        runningInstances(first: 200) {
          id
          status
          ticketNumber
          currentNodes
          createdAt
        }
      }
    }
  }
`);

export const MigrateMutation = graphql(`
  mutation MigrateWorkflowInstances(
    $from: ID!
    $to: ID!
    $ids: [ID!]
    $nodeMap: JSON
    $isDryRun: Boolean
  ) {
    migrateWorkflowInstances(
      fromVersionId: $from
      toVersionId: $to
      instanceIds: $ids
      nodeMap: $nodeMap
      isDryRun: $isDryRun
    ) {
      __typename
      ... on WorkflowMigration {
        instanceIds
        isDryRun
      }
      ... on ValidationError {
        message
        fields {
          path
          code
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const SimulateMutation = graphql(`
  mutation SimulateWorkflow($graph: JSON!, $formData: JSON, $ticket: JSON, $actions: JSON, $startAt: DateTime) {
    simulateWorkflow(graph: $graph, formData: $formData, ticket: $ticket, actions: $actions, startAt: $startAt) {
      __typename
      ... on WorkflowSimulation {
        status
        endStatus
        path
        trace
        timersFired
        timersPending
        effects
      }
      ... on ValidationError {
        message
        fields {
          path
          code
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const TicketRunQuery = graphql(`
  query TicketRun($number: String!) {
    ticket(number: $number) {
      id
      number
      title
      workflowInstances {
        id
        status
        currentNodes
        failures
        trace
        workflowVersion {
          id
          version
          workflowKey
          graph {
            json
          }
        }
        tasks {
          id
          nodeId
          title
          status
          createdAt
          closedAt
          assignee {
            name
          }
          team {
            name
          }
          closedBy {
            name
          }
        }
      }
    }
  }
`);

export const WorkflowStatsQuery = graphql(`
  query WorkflowStats($key: String!, $from: DateTime, $to: DateTime) {
    workflowStats(key: $key, from: $from, to: $to) {
      __typename
      ... on WorkflowStats {
        from
        to
        nodes {
          nodeId
          waiting
          failed
          steps
          p50Seconds
          p90Seconds
          oldestWaitingSince
        }
      }
      ... on ValidationError {
        fields {
          path
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
