import { graphql } from '../../../graphql/graphql.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { SlaClockFragment } from '../SlaCountdown/sla-clock-fragment.ts';
import { AttachmentsFragment } from './attachments-fragment.ts';

export const TicketPageQuery = graphql(
  `
  query DeskTicketPage($number: String!, $locale: String!) {
    ticket(number: $number) {
      id
      number
      title
      description
      status
      statusName
      priority
      channel
      createdAt
      updatedAt
      formData
      customFields
      cc {
        id
        name
      }
      requester {
        id
        name
        email
        phone
      }
      orgUnit {
        id
        name
      }
      team {
        id
        name
      }
      assignee {
        id
        name
      }
      template {
        id
        key
        name
      }
      templateVersion {
        version
        content {
          name
          formSchema
          uiSchema
        }
      }
      slaPolicyName
      ...DeskTicketAttachments
      slaClocks {
        ...DeskSlaClock
      }
      tasks {
        id
        nodeId
        title
        status
        actions
        formSchema
        uiSchema
        cc
        dueAt
        isOverdue
        createdAt
        closedAt
        closeReason
        origin
        assignee {
          id
          name
        }
        team {
          id
          name
        }
        orgUnit {
          id
          name
        }
        closedBy {
          name
        }
      }
      timeline {
        id
        kind
        body(locale: $locale)
        summary(locale: $locale)
        isPublic
        actorKind
        actorUser {
          name
        }
        actorCustomer {
          name
        }
        channel
        diff
        createdAt
      }
    }
    channels {
      key
      title
      titles {
        locale
        text
      }
    }
  }
`,
  [SlaClockFragment, AttachmentsFragment],
);

export const OtherTicketsQuery = graphql(`
  query DeskRequesterTickets($requesterId: ID!) {
    tickets(first: 6, filter: { requesterId: $requesterId }) {
      totalCount
      edges {
        node {
          id
          number
          title
          status
        }
      }
    }
  }
`);

export const SlaLiveSubscription = graphql(
  `
  subscription DeskTicketSla($ticketId: ID!) {
    ticketSlaChanged(ticketId: $ticketId) {
      ...DeskSlaClock
    }
  }
`,
  [SlaClockFragment],
);

export const PeopleQuery = graphql(`
  query DeskPeople {
    users {
      id
      name
    }
    teams {
      id
      name
    }
    orgUnits {
      id
      name
    }
    ticketStatuses {
      name
      category
    }
  }
`);

export const ActOnTask = graphql(
  `
  mutation DeskActOnTask($taskId: ID!, $action: TaskAction!, $output: JSON, $reason: String, $to: TransferTarget) {
    actOnTask(taskId: $taskId, action: $action, output: $output, reason: $reason, to: $to) {
      __typename
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

export const Reply = graphql(
  `
  mutation DeskReply($id: ID!, $body: String!) {
    replyToTicket(id: $id, body: $body) {
      __typename
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

export const Note = graphql(
  `
  mutation DeskNote($id: ID!, $body: String!) {
    addNote(id: $id, body: $body) {
      __typename
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

export const UpdateTicket = graphql(
  `
  mutation DeskUpdateTicket(
    $id: ID!
    $status: StatusCategory
    $statusName: String
    $priority: Priority
    $formData: JSON
  ) {
    updateTicket(id: $id, status: $status, statusName: $statusName, priority: $priority, formData: $formData) {
      __typename
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

export const AssignTicket = graphql(
  `
  mutation DeskAssignTicket($id: ID!, $assigneeId: Int, $teamId: Int) {
    assignTicket(id: $id, assigneeId: $assigneeId, teamId: $teamId) {
      __typename
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

export const UrgeTicket = graphql(
  `
  mutation DeskUrgeTicket($id: ID!) {
    urgeTicket(id: $id) {
      __typename
      ... on Urge {
        notified {
          id
        }
      }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

export const SetTicketCc = graphql(
  `
  mutation DeskSetTicketCc($id: ID!, $userIds: [Int!]!) {
    setTicketCc(id: $id, userIds: $userIds) {
      __typename
      ... on Ticket {
        cc {
          id
          name
        }
      }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

export const DescriptionTemplatesQuery = graphql(`
  query DeskDescriptionTemplates($templateKey: String!) {
    descriptionTemplates(templateKey: $templateKey) {
      id
      name
      isPersonal
    }
  }
`);

export const RenderDescriptionTemplate = graphql(`
  query DeskRenderDescriptionTemplate($id: ID!, $ticketId: ID) {
    renderDescriptionTemplate(id: $id, ticketId: $ticketId) {
      text
    }
  }
`);
